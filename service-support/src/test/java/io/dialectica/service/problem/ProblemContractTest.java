package io.dialectica.service.problem;

import io.dialectica.service.security.Caller;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared problem types keep their slugs and statuses; the HTTP mapping is tested in each service. */
class ProblemContractTest {

    @Test
    void sharedTypesKeepSlugStatusAndErrors() {
        ApiProblem bad = ApiProblem.badRequest("size", "must be an integer");
        assertEquals(400, bad.status());
        assertEquals("bad-request", bad.slug());
        assertEquals("size: must be an integer", bad.getMessage());
        assertEquals(List.of(new ApiProblem.FieldError("size", "must be an integer")), bad.errors());

        ApiProblem invalid = ApiProblem.invalid(List.of(new ApiProblem.FieldError("a", "x"),
                new ApiProblem.FieldError("b", "y")));
        assertEquals(422, invalid.status());
        assertEquals("validation", invalid.slug());
        assertEquals("2 fields are invalid", invalid.getMessage());

        assertEquals("concept 42 does not exist", ApiProblem.notFound("concept 42").getMessage());
        assertEquals(404, ApiProblem.notFound("x").status());
        assertEquals(403, ApiProblem.forbidden("no").status());
        assertTrue(ApiProblem.conflict(null, "busy").errors().isEmpty());
        assertEquals("name", ApiProblem.conflict("name", "taken").errors().get(0).field());
    }

    @Test
    void documentCarriesTheUrnTypeAndHeadersTravelWithTheProblem() {
        ApiProblem behind = new ApiProblem(504, "projection-behind", "Projection behind", "later", List.of(),
                Map.of("Retry-After", "1"));
        Problem doc = Problem.of(behind, "/graph/x");
        assertEquals("urn:dialectica:problem:projection-behind", doc.type());
        assertEquals(504, doc.status());
        assertEquals("/graph/x", doc.instance());
        assertEquals(Map.of("Retry-After", "1"), behind.headers());
        assertThrows(UnsupportedOperationException.class, () -> behind.headers().put("X", "y"));
    }

    @Test
    void constraintStatesBecomeClientAnswersOthersDoNot() {
        assertEquals(409, ApiProblem.ofConstraint("23505", "dup").status());
        ApiProblem check = ApiProblem.ofConstraint("23514", "check \"weight\"");
        assertEquals(422, check.status());
        assertEquals("body: violates a data constraint: check \"weight\"", check.getMessage());
        assertEquals(422, ApiProblem.ofConstraint("22001", "too long").status());
        assertNull(ApiProblem.ofConstraint("57P01", "admin shutdown"));
        assertNull(ApiProblem.ofConstraint(null, "?"));
    }

    @Test
    void idsRefuseWhatIsNotACanonicalUuid() {
        assertEquals("0b7d4c5e-1f7a-4c3e-9a55-0f3e2d1c0b7a",
                Ids.parse("id", "0b7d4c5e-1f7a-4c3e-9a55-0f3e2d1c0b7a").toString());
        ApiProblem short_ = assertThrows(ApiProblem.class, () -> Ids.parse("id", "1-1-1-1-1"));
        assertEquals(400, short_.status());
        assertEquals("id", short_.errors().get(0).field());
        assertThrows(ApiProblem.class, () -> Ids.parse("id", null));
        assertEquals("body", assertThrows(ApiProblem.class, () -> Ids.required(null)).errors().get(0).field());
    }

    @Test
    void callerVisibility() {
        Caller user = new Caller("ann", false, false);
        assertTrue(user.canSee("bob", "PUBLIC"));
        assertTrue(user.canSee("ann", "PRIVATE"));
        assertFalse(user.canSee("bob", "PRIVATE"));
        assertEquals("user:ann", user.scope());
        Caller worker = new Caller("claude-worker", false, true);
        assertTrue(worker.canSee("bob", "PRIVATE"));
        assertFalse(worker.admin());
        assertEquals("all", worker.scope());
        assertFalse(new Caller(null, false, false).canSee(null, "PRIVATE"));
    }
}
