package io.dialectica.graph;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ConsistencyToken;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.progress.StoreProgress;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Driver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read API over what the projector wrote: shapes, visibility, ranking, PageRank, paths, problems, tokens. */
@QuarkusTest
class ReadApiTest {

    private static final String PROBLEM = "application/problem+json";

    @Inject
    Driver driver;

    @Inject
    ProjectionProgress progress;

    @Inject
    ObjectMapper mapper;

    @Inject
    GraphConfig config;

    @Inject
    StoreProgress view;

    Events events;
    Graph graph;

    @BeforeEach
    void setUp() {
        // scores and weights are doubles: compare them as such
        RestAssured.config = RestAssuredConfig.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
        events = new Events(mapper, config.topics().conceptChanges(), config.topics().categoryChanges());
        graph = new Graph(driver, progress);
    }

    @AfterEach
    void tearDown() {
        events.close();
        graph.removeTestNodes();
    }

    /** Sends a concept (new categories as copies) with memberships and relations; waits until applied. */
    private long concept(String id, String owner, String visibility, Map<String, String> categories,
            Map<String, Double> weights, List<String[]> relations) {
        Events.Group group = events.concept(id).insert(Tables.CONCEPTS, Events.concept(id, owner, "Concept " + owner,
                visibility));
        categories.forEach((name, categoryId) -> group.insert(Tables.CATEGORIES, Events.category(categoryId, name)));
        categories.forEach((name, categoryId) -> group.insert(Tables.CONCEPT_CATEGORIES,
                Events.membership(Events.id(), id, categoryId, weights.getOrDefault(name, 1.0))));
        for (String[] r : relations) {
            group.insert(Tables.CONCEPT_RELATIONS, Events.relation(Events.id(), id, categories.get(r[0]),
                    categories.get(r[1]), r[2], Double.parseDouble(r[3])));
        }
        long lsn = group.send();
        graph.awaitApplied(id, lsn);
        return lsn;
    }

    private static Map<String, String> categories(String... namesAndIds) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndIds.length; i += 2) {
            map.put(namesAndIds[i], namesAndIds[i + 1]);
        }
        return map;
    }

    @Test
    void conceptGraphWithVisibility() {
        String p = Events.id();
        String being = Events.id();
        String nothing = Events.id();
        long lsn = concept(p, "alice-read", "PRIVATE", categories("Being", being, "Nothing", nothing),
                Map.of("Being", 0.9, "Nothing", 0.8), List.<String[]>of(new String[] {"Being", "Nothing", "NEGATES", "0.7"}));

        given().auth().oauth2(TestJwt.user("alice-read")).when().get("/api/graph/concepts/" + p).then()
                .statusCode(200)
                .body("id", equalTo(p))
                .body("name", equalTo("Concept alice-read"))
                .body("owner", equalTo("alice-read"))
                .body("visibility", equalTo("PRIVATE"))
                .body("tradition", equalTo("Hegelian"))
                .body("appliedLsn", equalTo(Lsn.format(lsn)))
                .body("categories", hasSize(2))
                .body("categories.name", contains("Being", "Nothing"))
                .body("categories[0].id", equalTo(being))
                .body("categories[0].weight", equalTo(0.9))
                .body("categories[0].x", equalTo(10.0))
                .body("categories[0].y", equalTo(20.0))
                .body("relations", hasSize(1))
                .body("relations[0].type", equalTo("NEGATES"))
                .body("relations[0].fromCategoryId", equalTo(being))
                .body("relations[0].toCategoryId", equalTo(nothing))
                .body("relations[0].weight", equalTo(0.7))
                .body("relations[0].rationale", equalTo("NEGATES because"));
        given().auth().oauth2(TestJwt.user("bob-read")).when().get("/api/graph/concepts/" + p).then()
                .statusCode(404).contentType(PROBLEM)
                .body("type", equalTo("urn:dialectica:problem:not-found")).body("status", equalTo(404));
        given().auth().oauth2(TestJwt.admin("root")).when().get("/api/graph/concepts/" + p).then()
                .statusCode(200).body("id", equalTo(p));
        given().auth().oauth2(TestJwt.user("alice-read")).when().get("/api/graph/concepts/" + Events.id()).then()
                .statusCode(404).contentType(PROBLEM);
        given().when().get("/api/graph/concepts/" + p).then()
                .statusCode(401).contentType(PROBLEM).body("type", equalTo("urn:dialectica:problem:unauthorized"));
        given().auth().oauth2(TestJwt.forged("alice-read")).when().get("/api/graph/concepts/" + p).then()
                .statusCode(401).contentType(PROBLEM);
    }

    @Test
    void relatedConceptsRankedBySharedWeightedCategoriesVisibleOnly() {
        String a = Events.id();
        String b = Events.id();
        String c = Events.id();
        String x = Events.id();
        String y = Events.id();
        String z = Events.id();
        String q = Events.id();
        concept(x, "alice-rel", "PUBLIC", categories("Being", a, "Nothing", b, "Becoming", c),
                Map.of("Being", 0.9, "Nothing", 0.5, "Becoming", 0.4), List.of());
        Map<String, String> shared = categories("Being", a, "Nothing", b);
        concept(y, "bob-rel", "PUBLIC", shared, Map.of(), List.of());
        concept(z, "bob-rel", "PUBLIC", categories("Becoming", c), Map.of(), List.of());
        concept(q, "carol-rel", "PRIVATE", categories("Being", a), Map.of(), List.of());

        given().auth().oauth2(TestJwt.user("alice-rel")).when().get("/api/graph/concepts/" + x + "/related").then()
                .statusCode(200)
                .body("conceptId", equalTo(x))
                .body("items.id", contains(y, z))
                .body("items[0].score", closeTo(1.4, 1e-9))
                .body("items[0].sharedCategories", contains("Being", "Nothing"))
                .body("items[0].name", equalTo("Concept bob-rel"))
                .body("items[0].tradition", equalTo("Hegelian"))
                .body("items[1].score", closeTo(0.4, 1e-9))
                .body("items[1].sharedCategories", contains("Becoming"));
        // the owner of the private concept sees it among the related ones, and so does an admin
        given().auth().oauth2(TestJwt.user("carol-rel")).when().get("/api/graph/concepts/" + x + "/related").then()
                .statusCode(200).body("items.id", contains(y, q, z)).body("items[1].score", closeTo(0.9, 1e-9));
        given().auth().oauth2(TestJwt.admin("root")).queryParam("limit", 2)
                .when().get("/api/graph/concepts/" + x + "/related").then()
                .statusCode(200).body("items.id", contains(y, q));
        // the private concept itself is invisible to others
        given().auth().oauth2(TestJwt.user("alice-rel")).when().get("/api/graph/concepts/" + q + "/related").then()
                .statusCode(404).contentType(PROBLEM);
        for (String bad : List.of("0", "101", "ten", "1.5")) {
            given().auth().oauth2(TestJwt.user("alice-rel")).queryParam("limit", bad)
                    .when().get("/api/graph/concepts/" + x + "/related").then()
                    .statusCode(400).contentType(PROBLEM)
                    .body("type", equalTo("urn:dialectica:problem:bad-request"))
                    .body("errors[0].field", equalTo("limit"));
        }
    }

    /**
     * A, B, C, D with A→B (0.6), A→C (0.2), B→C (0.5); C is a sink, D isolated. Every node receives the
     * same base r_A = 0.15/4 + 0.85·(r_C + r_D)/4 (A and D receive nothing else, so r_D = r_A);
     * A splits its share 3:1 by weight, B passes everything on:
     * r_B = r_A (1 + 0.75·0.85), r_C = r_A (1 + 0.25·0.85) + 0.85·r_B, and r_A + r_B + r_C + r_D = 1 gives
     * r_A = r_D = 1 / (2 + 1.6375 + 1.2125 + 0.85·1.6375) = 0.1602083, r_B = 0.2623410, r_C = 0.4172424.
     */
    @Test
    void centralityIsPageRankOfTheConceptsOwnCategoryGraph() {
        String id = Events.id();
        Map<String, String> cats = categories("A", Events.id(), "B", Events.id(), "C", Events.id(), "D", Events.id());
        concept(id, "alice-pr", "PUBLIC", cats, Map.of(), List.of(
                new String[] {"A", "B", "IMPLIES", "0.6"},
                new String[] {"A", "C", "GROUNDS", "0.2"},
                new String[] {"B", "C", "PART_OF", "0.5"}));
        Response response = given().auth().oauth2(TestJwt.user("bob-pr"))
                .when().get("/api/graph/concepts/" + id + "/centrality");
        response.then().statusCode(200)
                .body("conceptId", equalTo(id))
                .body("items.name", contains("C", "B", "A", "D"))
                .body("items[0].categoryId", equalTo(cats.get("C")))
                .body("items[0].score", closeTo(0.4172424, 1e-6))
                .body("items[1].score", closeTo(0.2623410, 1e-6))
                .body("items[2].score", closeTo(0.1602083, 1e-6))
                .body("items[3].score", closeTo(0.1602083, 1e-6));
        List<Double> scores = response.path("items.score");
        assertEquals(1.0, scores.stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        given().auth().oauth2(TestJwt.user("bob-pr")).queryParam("limit", 1)
                .when().get("/api/graph/concepts/" + id + "/centrality").then()
                .statusCode(200).body("items.name", contains("C"));
    }

    @Test
    void pathsOnlyOverRelationsOfVisibleConcepts() {
        String a = Events.id();
        String b = Events.id();
        String c = Events.id();
        String pub = Events.id();
        String priv = Events.id();
        concept(pub, "alice-path", "PUBLIC", categories("Being", a, "Nothing", b), Map.of(),
                List.<String[]>of(new String[] {"Being", "Nothing", "NEGATES", "0.7"}));
        concept(priv, "bob-path", "PRIVATE", categories("Nothing", b, "Becoming", c), Map.of(),
                List.<String[]>of(new String[] {"Nothing", "Becoming", "IMPLIES", "0.4"}));

        // bob sees his private relation: Being → Nothing → Becoming
        given().auth().oauth2(TestJwt.user("bob-path")).queryParam("from", a).queryParam("to", c)
                .when().get("/api/graph/paths").then()
                .statusCode(200)
                .body("from", equalTo(a)).body("to", equalTo(c)).body("length", equalTo(2))
                .body("categories.id", contains(a, b, c))
                .body("categories.name", contains("Being", "Nothing", "Becoming"))
                .body("steps.type", contains("NEGATES", "IMPLIES"))
                .body("steps.conceptId", contains(pub, priv))
                .body("steps[1].fromCategoryId", equalTo(b)).body("steps[1].toCategoryId", equalTo(c))
                .body("steps[1].weight", equalTo(0.4));
        // either direction of the relations
        given().auth().oauth2(TestJwt.user("bob-path")).queryParam("from", c).queryParam("to", a)
                .when().get("/api/graph/paths").then()
                .statusCode(200).body("length", equalTo(2)).body("categories.id", contains(c, b, a))
                .body("steps[0].fromCategoryId", equalTo(b)).body("steps[0].toCategoryId", equalTo(c));
        given().auth().oauth2(TestJwt.admin("root")).queryParam("from", a).queryParam("to", c)
                .when().get("/api/graph/paths").then().statusCode(200).body("length", equalTo(2));
        // alice cannot pass through bob's private relation
        given().auth().oauth2(TestJwt.user("alice-path")).queryParam("from", a).queryParam("to", c)
                .when().get("/api/graph/paths").then()
                .statusCode(404).contentType(PROBLEM).body("type", equalTo("urn:dialectica:problem:not-found"));
        given().auth().oauth2(TestJwt.user("alice-path")).queryParam("from", a).queryParam("to", b)
                .when().get("/api/graph/paths").then().statusCode(200).body("length", equalTo(1));
        // too short a maximum
        given().auth().oauth2(TestJwt.user("bob-path")).queryParam("from", a).queryParam("to", c)
                .queryParam("maxLength", 1).when().get("/api/graph/paths").then().statusCode(404);
        // bad parameters
        Map<String, Map<String, String>> bad = new LinkedHashMap<>();
        bad.put("from", Map.of("from", "not-a-uuid", "to", c));
        bad.put("to", Map.of("from", a));
        bad.put("maxLength", Map.of("from", a, "to", c, "maxLength", "0"));
        bad.put("maxLength ", Map.of("from", a, "to", c, "maxLength", "11"));
        bad.put("to ", Map.of("from", a, "to", a));
        bad.forEach((field, params) -> given().auth().oauth2(TestJwt.user("bob-path")).queryParams(params)
                .when().get("/api/graph/paths").then()
                .statusCode(400).contentType(PROBLEM).body("errors[0].field", equalTo(field.trim())));
    }

    @Test
    void badInputIsA400Problem() {
        String alice = TestJwt.user("alice-bad");
        for (String path : List.of("/api/graph/concepts/not-a-uuid", "/api/graph/concepts/123/related",
                "/api/graph/concepts/" + "x".repeat(36) + "/centrality")) {
            given().auth().oauth2(alice).when().get(path).then()
                    .statusCode(400).contentType(PROBLEM)
                    .body("type", equalTo("urn:dialectica:problem:bad-request"))
                    .body("errors[0].field", equalTo("id"));
        }
        given().auth().oauth2(alice).header(ConsistencyToken.HEADER, "not-an-lsn")
                .when().get("/api/graph/concepts/" + Events.id()).then()
                .statusCode(400).contentType(PROBLEM).body("errors[0].field", equalTo(ConsistencyToken.HEADER));
        given().auth().oauth2(alice).when().get("/api/graph/nothing-here").then()
                .statusCode(404).contentType(PROBLEM);
    }

    @Test
    void waitingReadersPollTheStoreSlowlyWhileThisReplicaOwnsEveryPartition() {
        // one instance consumes every partition: its own projector tells the view what the group writes at once, and
        // the store is read only every owner-poll-interval (200 ms) for writers outside the group — not every 10 ms
        String id = Events.id();
        concept(id, "alice-owner", "PUBLIC", categories("Being", Events.id()), Map.of(), List.of());
        assertTrue(view.ownsEveryPartition(), "the only instance owns every partition of both topics");
        String ahead = Lsn.format(Events.nextLsn() + 0x1_0000_0000L);
        long readsBefore = view.storeReads();
        given().auth().oauth2(TestJwt.user("alice-owner")).header(ConsistencyToken.HEADER, ahead)
                .when().get("/api/graph/concepts/" + id).then().statusCode(504);
        given().auth().oauth2(TestJwt.user("alice-owner")).header(ConsistencyToken.HEADER, ahead)
                .when().get("/api/graph/concepts/" + id + "/related").then().statusCode(504);
        long reads = view.storeReads() - readsBefore;
        // two waits of consistency-wait (1 s in tests): ~10 reads at 200 ms, where 10 ms polls made ~70
        assertTrue(reads <= 15, "store reads while two readers waited " + config.consistencyWait().multipliedBy(2)
                + ": " + reads);
    }

    @Test
    void aTokenAheadOfTheProjectionIsA504AfterTheWait() {
        String id = Events.id();
        concept(id, "alice-504", "PUBLIC", categories("Being", Events.id()), Map.of(), List.of());
        String ahead = Lsn.format(Events.nextLsn() + 0x1_0000_0000L);
        long started = System.nanoTime();
        given().auth().oauth2(TestJwt.user("alice-504")).header(ConsistencyToken.HEADER, ahead)
                .when().get("/api/graph/concepts/" + id).then()
                .statusCode(504).contentType(PROBLEM)
                .header("Retry-After", "1")
                .body("type", equalTo("urn:dialectica:problem:projection-behind"))
                .body("status", equalTo(504));
        assertTrue(System.nanoTime() - started >= config.consistencyWait().toNanos(), "waited the configured time");
        given().auth().oauth2(TestJwt.user("alice-504")).header(ConsistencyToken.HEADER, ahead)
                .when().get("/api/graph/concepts/" + id + "/related").then()
                .statusCode(504).header("Retry-After", "1");
        // a token the projection covers answers at once
        given().auth().oauth2(TestJwt.user("alice-504")).header(ConsistencyToken.HEADER, "0/1")
                .when().get("/api/graph/concepts/" + id).then().statusCode(200);
    }

    @Test
    void aReadWaitsForTheGroupOfItsToken() throws Exception {
        String id = Events.id();
        String category = Events.id();
        long lsn = Events.nextLsn();
        // the write's token lies before its own commit LSN (docs/events.md)
        String token = Lsn.format(lsn - 0x10);
        CompletableFuture<Response> read = CompletableFuture.supplyAsync(() -> given()
                .auth().oauth2(TestJwt.user("alice-wait")).header(ConsistencyToken.HEADER, token)
                .when().get("/api/graph/concepts/" + id));
        Thread.sleep(200); // the group arrives while the read waits
        events.concept(id)
                .insert(Tables.CONCEPTS, Events.concept(id, "alice-wait", "Late", "PUBLIC"))
                .insert(Tables.CATEGORIES, Events.category(category, "Being"))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), id, category, 0.5))
                .send(lsn);
        read.get().then().statusCode(200).body("name", equalTo("Late"))
                .body("appliedLsn", equalTo(Lsn.format(lsn))).body("categories", hasSize(1));

        // across concepts: answered once every partition has passed the token (watermarks)
        long mark = Events.nextLsn();
        CompletableFuture<Response> related = CompletableFuture.supplyAsync(() -> given()
                .auth().oauth2(TestJwt.user("alice-wait")).header(ConsistencyToken.HEADER, Lsn.format(mark))
                .when().get("/api/graph/concepts/" + id + "/related"));
        Thread.sleep(200);
        events.watermarks(mark);
        related.get().then().statusCode(200).body("conceptId", equalTo(id)).body("items", hasSize(0));
        assertTrue(progress.lowWatermark() >= mark);
        given().auth().oauth2(TestJwt.user("alice-wait")).header(ConsistencyToken.HEADER, Lsn.format(mark))
                .queryParam("from", category).queryParam("to", Events.id())
                .when().get("/api/graph/paths").then().statusCode(404);
    }

    /**
     * Another replica applied the write: this replica's projector never saw it, yet a token read here answers as soon
     * as Neo4j holds it — a one-concept read through the concept's applied LSN, a read across concepts through the
     * partitions' progress nodes. The test plays the other replica by writing what its transaction would write.
     */
    @Test
    void aTokenAnotherReplicaAppliedIsAnsweredFromTheStore() throws Exception {
        // everything sent so far is applied here, so positions at a fresh LSN are true statements
        long before = Events.nextLsn();
        events.watermarks(before);
        Graph.until(() -> progress.lowWatermark() >= before, "this replica's positions at " + before);

        String id = Events.id();
        long lsn = Events.nextLsn();
        CompletableFuture<Response> read = CompletableFuture.supplyAsync(() -> given()
                .auth().oauth2(TestJwt.user("bob-remote")).header(ConsistencyToken.HEADER, Lsn.format(lsn))
                .when().get("/api/graph/concepts/" + id));
        Thread.sleep(300); // the read waits: neither this replica's projector nor Neo4j has the write
        graph.query("""
                CREATE (c:Concept {id: $id, name: 'Applied elsewhere', owner: 'bob-remote', visibility: 'PUBLIC',
                                   appliedLsn: $lsn})""", Map.of("id", id, "lsn", lsn));
        read.get().then().statusCode(200).body("name", equalTo("Applied elsewhere"))
                .body("appliedLsn", equalTo(Lsn.format(lsn)));
        assertTrue(progress.recentlyApplied(id).isEmpty(), "this replica's projector never applied it");

        // across concepts: the other replica's transaction raised every partition's position
        long mark = Events.nextLsn();
        CompletableFuture<Response> related = CompletableFuture.supplyAsync(() -> given()
                .auth().oauth2(TestJwt.user("bob-remote")).header(ConsistencyToken.HEADER, Lsn.format(mark))
                .when().get("/api/graph/concepts/" + id + "/related"));
        Thread.sleep(300);
        assertTrue(progress.lowWatermark() < mark);
        graph.query("""
                MATCH (p:ProjectionProgress) WHERE p.topic IN $topics
                SET p.position = CASE WHEN p.position < $mark THEN $mark ELSE p.position END""",
                Map.of("topics", List.of(config.topics().conceptChanges(), config.topics().categoryChanges()),
                        "mark", mark));
        related.get().then().statusCode(200).body("conceptId", equalTo(id)).body("items", hasSize(0));
        // answered within the consistency wait (else 504), though this replica's own partitions never passed the token
        assertTrue(progress.lowWatermark() < mark, "this replica's own partitions never passed the token");
    }
}
