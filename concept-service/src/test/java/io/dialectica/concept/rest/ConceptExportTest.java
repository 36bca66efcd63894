package io.dialectica.concept.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * concept-service's part of GET /api/me/export on the real database: exactly the caller's own concepts (PRIVATE and
 * PUBLIC, nobody else's), each line the concept as GET /api/concepts/{id} answers it, in creation order, all of them
 * past any page size, streamed.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class ConceptExportTest {

    private static final String EXPORT = "/internal/export/concepts";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachUserExportsExactlyTheirOwnConceptsAsGetAnswersThem() throws Exception {
        String alice = TestJwt.user("alice-me-export");
        String bob = TestJwt.user("bob-me-export");
        String alicePrivate = Concepts.createId(alice, Concepts.hegel("Alice's private triad", "PRIVATE"));
        String bobPrivate = Concepts.createId(bob, Concepts.hegel("Bob's private triad", "PRIVATE"));
        String alicePublic = Concepts.createId(alice, Concepts.hegel("Alice's public triad", "PUBLIC"));
        String bobPublic = Concepts.createId(bob, Concepts.hegel("Bob's public triad", "PUBLIC"));
        // a later version is exported as it is now, a deleted concept not at all
        given().auth().oauth2(alice).contentType("application/json").body(Map.of("name", "Dasein", "weight", 0.6))
                .post("/api/concepts/" + alicePublic + "/categories").then().statusCode(201);
        String aliceDeleted = Concepts.createId(alice, Concepts.hegel("Alice's deleted triad", "PRIVATE"));
        given().auth().oauth2(alice).delete("/api/concepts/" + aliceDeleted).then().statusCode(204);

        List<JsonNode> aliceLines = export(alice);
        assertEquals(List.of(alicePrivate, alicePublic), ids(aliceLines));
        for (JsonNode line : aliceLines) {
            assertEquals("concept", line.path("kind").asText());
            assertEquals(List.of("kind", "concept"), fieldNames(line));
            JsonNode got = JSON.readTree(given().auth().oauth2(alice).get("/api/concepts/" + line.at("/concept/id").asText())
                    .then().statusCode(200).extract().asString());
            assertEquals(got, line.path("concept"), "the exported concept is the one GET answers");
        }
        assertEquals(4, aliceLines.get(1).at("/concept/categories").size());
        assertEquals(2, aliceLines.get(1).at("/concept/version").asLong());
        assertEquals(2, aliceLines.get(0).at("/concept/relations").size());
        assertEquals("Being, taken purely, is nothing", aliceLines.get(0).at("/concept/relations").findValuesAsText("rationale").getFirst());

        // bob: his own two, never alice's private one, nor her public one (it is not his data)
        List<JsonNode> bobLines = export(bob);
        assertEquals(List.of(bobPrivate, bobPublic), ids(bobLines));
        assertFalse(ids(bobLines).contains(alicePrivate));
        given().auth().oauth2(bob).get("/api/concepts/" + alicePrivate + "/export?format=canvas").then().statusCode(404);

        // somebody with no concept: an empty export, not an error
        assertEquals(List.of(), export(TestJwt.user("nobody-me-export")));
    }

    @Test
    void manyConceptsAllExportedOnceInCreationOrder() throws Exception {
        String carol = TestJwt.user("carol-me-export");
        List<String> created = new ArrayList<>();
        // more than two pages of 100
        for (int i = 0; i < 250; i++) {
            created.add(Concepts.createId(carol, Map.of("name", "Concept " + i, "visibility", i % 2 == 0 ? "PUBLIC" : "PRIVATE",
                    "categories", List.of(Map.of("name", "Category " + (i % 7)), Map.of("name", "Shared")),
                    "relations", List.of(Map.of("from", "Category " + (i % 7), "to", "Shared", "type", "IMPLIES")))));
        }
        List<JsonNode> lines = export(carol);
        assertEquals(created, ids(lines), "every concept once, in the order they were created");
        Comparator<JsonNode> order = Comparator.comparing((JsonNode l) -> java.time.Instant.parse(l.at("/concept/createdAt").asText()))
                .thenComparing(l -> l.at("/concept/id").asText());
        List<JsonNode> sorted = new ArrayList<>(lines);
        sorted.sort(order);
        assertEquals(ids(sorted), ids(lines));
        assertEquals(lines, export(carol), "a second export of unchanged data is the same");
        Map<String, Integer> names = new HashMap<>();
        lines.forEach(l -> names.merge(l.at("/concept/name").asText(), 1, Integer::sum));
        assertEquals(250, names.size());
    }

    @Test
    void streamedAsJsonLinesAndOnlyWithAToken() {
        String dave = TestJwt.user("dave-me-export");
        Concepts.createId(dave, Concepts.hegel("Dave's triad", "PRIVATE"));
        Response answer = given().auth().oauth2(dave).get(EXPORT);
        answer.then().statusCode(200).contentType(startsWith("application/jsonl"));
        // streamed: chunked, no length known in advance
        assertNull(answer.getHeader("Content-Length"));
        assertEquals("chunked", answer.getHeader("Transfer-Encoding"));
        assertTrue(answer.asString().endsWith("}\n"), answer.asString());

        given().get(EXPORT).then().statusCode(401).contentType("application/problem+json")
                .body("status", equalTo(401));
    }

    private static List<JsonNode> export(String token) throws Exception {
        String body = given().auth().oauth2(token).get(EXPORT).then().statusCode(200)
                .contentType(startsWith("application/jsonl")).extract().asString();
        List<JsonNode> lines = new ArrayList<>();
        if (body.isEmpty()) {
            return lines;
        }
        assertTrue(body.endsWith("\n"), "every line ends with a newline: ..." + body.substring(Math.max(0, body.length() - 200)));
        for (String line : body.split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(JSON.readTree(line));
            }
        }
        assertEquals(lines.size(), body.chars().filter(c -> c == '\n').count(), "no empty line");
        return lines;
    }

    private static List<String> ids(List<JsonNode> lines) {
        return lines.stream().map(l -> l.at("/concept/id").asText()).toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
