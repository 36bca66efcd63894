package io.dialectica.concept.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class ConcurrencyAndHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();


    /** Writers racing on one version: exactly one wins, the others get 412 (no lost update). */
    @Test
    void concurrentReplacesWithTheSameIfMatchHaveOneWinner() throws Exception {
        String owner = TestJwt.user("racer");
        String id = Concepts.createId(owner, Concepts.hegel("Race", "PRIVATE"));
        List<Callable<Integer>> writers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "Race " + i;
            writers.add(() -> given().auth().oauth2(owner).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                    .body(Concepts.hegel(name, "PRIVATE")).when().put("/api/concepts/" + id).statusCode());
        }
        List<Integer> statuses = Concepts.allAtOnce(writers);
        assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
        assertEquals(5, statuses.stream().filter(s -> s == 412).count(), statuses.toString());
        given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().body("version", equalTo(2));
    }

    /**
     * Relation and concept deletes on different concepts, all at once. Regression: entity deletes through
     * the Hibernate Reactive session shared one pending-delete field across requests, so some answered 500
     * (HR000069, or another request's row "expected row count 1 but was 0") and left transactions open.
     */
    @Test
    void concurrentDeletesOnDifferentConceptsAllSucceed() throws Exception {
        String owner = TestJwt.user("deleter");
        int concepts = 12;
        List<String> ids = new ArrayList<>();
        List<String> relationIds = new ArrayList<>();
        for (int i = 0; i < concepts; i++) {
            String id = Concepts.createId(owner, Concepts.hegel("Delete race " + i, "PRIVATE"));
            ids.add(id);
            relationIds.add(given().auth().oauth2(owner).when().get("/api/concepts/" + id)
                    .then().statusCode(200).extract().path("relations[0].id"));
        }
        List<Callable<String>> deletes = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < concepts; i++) {
                String id = ids.get(i);
                String relation = relationIds.get(i);
                // round 0 removes the relation, round 1 finds it gone, round 2 deletes the concept
                String path = round < 2 ? "/api/concepts/" + id + "/relations/" + relation : "/api/concepts/" + id;
                int expected = round == 1 ? 404 : 204;
                deletes.add(() -> {
                    int status = given().auth().oauth2(owner).when().delete(path).statusCode();
                    return status == expected ? "" : path + " -> " + status;
                });
            }
            List<String> unexpected = Concepts.allAtOnce(deletes).stream().filter(r -> !r.isEmpty()).toList();
            assertEquals(List.of(), unexpected, "round " + round);
            deletes.clear();
        }
        for (String id : ids) {
            given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().statusCode(404);
        }
    }

    /**
     * Concurrent creates naming the same shared categories in opposite orders. Regression: the category
     * upserts locked rows in the order of the request, so two such writes deadlocked (500 with 40P01).
     */
    @Test
    void concurrentCreatesSharingCategoriesInOppositeOrdersDoNotDeadlock() throws Exception {
        String owner = TestJwt.user("orderer");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            names.add("Shared order " + i);
        }
        List<Callable<Integer>> creates = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            List<String> order = new ArrayList<>(names);
            if (i % 2 == 1) {
                Collections.reverse(order);
            }
            List<Map<String, Object>> categories = order.stream()
                    .map(name -> Map.<String, Object>of("name", name, "description", "shared", "weight", 0.5,
                            "x", 0, "y", 0))
                    .toList();
            Map<String, Object> body = Map.of("name", "Order race " + i, "visibility", "PRIVATE",
                    "categories", categories, "relations", List.of());
            creates.add(() -> Concepts.create(owner, body).extract().statusCode());
        }
        List<Integer> statuses = Concepts.allAtOnce(creates);
        assertEquals(creates.size(), statuses.stream().filter(s -> s == 201).count(), statuses.toString());
    }

    /**
     * Clients that time out in the middle of their writes. Regression: Quarkus REST cancelled the service's
     * Uni and Hibernate Reactive left the transaction open on a pooled connection (quarkus#51576) until
     * the pool ran dry; {@code @RunsToCompletion} lets each write commit or roll back whatever the client does.
     */
    @Test
    void clientsThatGiveUpMidWriteLeaveNoConnectionHeld() throws Exception {
        String owner = TestJwt.user("quitter");
        URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/concepts");
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            for (int i = 0; i < 150; i++) {
                String body = JSON.writeValueAsString(Concepts.hegel("Quitter " + i, "PRIVATE"));
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(5 + (i % 40)))
                        .header("Authorization", "Bearer " + owner).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .handle((response, failure) -> null));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        // every connection goes back to the pool: none held by a write its client abandoned
        double inUse = -1;
        for (int attempt = 0; attempt < 50 && inUse != 0; attempt++) {
            Thread.sleep(200);
            inUse = connectionsInUse();
        }
        assertEquals(0, inUse, "pooled connections still held after the clients went away");
        // and the pool still serves: a normal write goes through
        Concepts.create(owner, Concepts.hegel("After the quitters", "PRIVATE")).statusCode(201);
    }

    /** The reactive pool's gauge of connections in use (Quarkus' Vert.x pool metrics), over all pools. */
    private static double connectionsInUse() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> gauges = metrics.lines().filter(line -> line.startsWith("sql_pool_active{")).toList();
        assertFalse(gauges.isEmpty(), "no sql_pool_active gauge in /q/metrics");
        return gauges.stream().mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
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
