package io.dialectica.concept.rest;

import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class ConcurrencyAndHealthTest {

    /** Writers racing on one version: exactly one wins, the others get 412 (no lost update). */
    @Test
    void concurrentReplacesWithTheSameIfMatchHaveOneWinner() throws Exception {
        String owner = TestJwt.user("racer");
        String id = Concepts.createId(owner, Concepts.hegel("Race", "PRIVATE"));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String name = "Race " + i;
                writers.add(() -> given().auth().oauth2(owner).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                        .body(Concepts.hegel(name, "PRIVATE")).when().put("/api/concepts/" + id).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> result : pool.invokeAll(writers)) {
                statuses.add(result.get());
            }
            assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            assertEquals(5, statuses.stream().filter(s -> s == 412).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().body("version", equalTo(2));
    }

    @Test
    void readinessCoversTheDatabase() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void metricsAndOpenApiArePublished() {
        given().auth().oauth2(TestJwt.user("metrics")).when().get("/api/relation-types").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("http_server_requests_seconds_bucket{"));
        given().accept("application/json").when().get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/concepts/{id}'", org.hamcrest.Matchers.notNullValue());
    }
}
