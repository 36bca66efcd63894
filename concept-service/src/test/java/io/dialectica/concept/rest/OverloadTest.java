package io.dialectica.concept.rest;

import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A saturated connection pool sheds load: with one connection and no wait queue, concurrent writes that
 * find the connection taken get 503 problem+json with Retry-After (never a 500), and the service answers
 * normally once the burst is over.
 */
@QuarkusTest
@TestProfile(OverloadTest.OneConnectionNoQueue.class)
@QuarkusTestResource(JwtTestResource.class)
class OverloadTest {

    public static class OneConnectionNoQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.reactive.max-size", "1",
                    "dialectica.datasource.max-wait-queue-size", "0");
        }
    }

    @Test
    void writesBeyondThePoolAnswer503WithRetryAfterAndTheServiceRecovers() throws Exception {
        String owner = TestJwt.user("burst");
        List<Callable<Response>> burst = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Map<String, Object> body = Concepts.hegel("Burst " + i, "PRIVATE");
            burst.add(() -> given().auth().oauth2(owner).contentType(ContentType.JSON).body(body)
                    .when().post("/api/concepts").andReturn());
        }
        List<Response> answers = Concepts.allAtOnce(burst);
        List<Integer> statuses = answers.stream().map(Response::statusCode).toList();
        assertTrue(statuses.stream().allMatch(s -> s == 201 || s == 503), statuses.toString());
        assertTrue(statuses.contains(503), "16 concurrent writes on one connection, none refused: " + statuses);
        Response refused = answers.stream().filter(a -> a.statusCode() == 503).findFirst().orElseThrow();
        assertEquals("application/problem+json", refused.contentType().split(";")[0]);
        assertEquals("1", refused.header("Retry-After"));
        assertEquals("urn:dialectica:problem:overloaded", refused.jsonPath().getString("type"));

        // the burst is over: a write goes through
        Concepts.create(owner, Concepts.hegel("After the burst", "PRIVATE")).statusCode(201);
    }
}
