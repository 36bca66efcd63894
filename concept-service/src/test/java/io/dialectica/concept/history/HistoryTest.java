package io.dialectica.concept.history;

import io.dialectica.concept.rest.Database;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.dialectica.concept.history.Groups.CATEGORIES;
import static io.dialectica.concept.history.Groups.CONCEPTS;
import static io.dialectica.concept.history.Groups.MEMBERS;
import static io.dialectica.concept.history.Groups.category;
import static io.dialectica.concept.history.Groups.concept;
import static io.dialectica.concept.history.Groups.member;
import static io.dialectica.concept.history.Groups.with;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * concept-service's side of the history against the real database: every write names its author in
 * {@code concepts.changed_by}; the recorder records a change group once however often it comes; the history and the
 * past versions are visible as the concept is, and a deleted concept's to its owner and admins only. (The whole chain
 * — writes, cdc-connector, Kafka, this service's consumer — is e2e-tests' ConceptHistoryIT.)
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class HistoryTest {

    @Inject
    Database database;

    @Inject
    HistoryRecorder recorder;

    static Map<String, Object> body(String name, String visibility) {
        return Map.of("name", name, "visibility", visibility, "description", "A test of the history",
                "categories", List.of(Map.of("name", "Thesis", "weight", 0.5), Map.of("name", "Antithesis", "weight", 0.5)),
                "relations", List.of(Map.of("from", "Thesis", "to", "Antithesis", "type", "NEGATES")));
    }

    static String create(String token, String name, String visibility) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body(name, visibility))
                .when().post("/api/concepts").then().statusCode(201).extract().path("id");
    }

    String author(String id) {
        return database.text("select coalesce(changed_by, '<null>') from concepts where id = '" + id + "'");
    }

    @Test
    void everyWriteNamesItsAuthorInTheSameTransaction() {
        String alice = TestJwt.user("alice-author");
        String root = TestJwt.admin("root-author");
        String id = create(alice, "Authored", "PRIVATE");
        assertEquals("alice-author", author(id));

        given().auth().oauth2(root).contentType(ContentType.JSON).header("If-Match", "\"1\"").body(body("Authored", "PUBLIC"))
                .when().put("/api/concepts/" + id).then().statusCode(200);
        assertEquals("root-author", author(id));

        String category = given().auth().oauth2(alice).contentType(ContentType.JSON).body(Map.of("name", "Synthesis"))
                .when().post("/api/concepts/" + id + "/categories").then().statusCode(201).extract().path("id");
        assertEquals("alice-author", author(id));

        given().auth().oauth2(root).contentType(ContentType.JSON).body(Map.of("x", 10))
                .when().put("/api/concepts/" + id + "/categories/" + category).then().statusCode(200);
        assertEquals("root-author", author(id));

        String relation = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("from", "Synthesis", "to", "Thesis", "type", "SUBLATES"))
                .when().post("/api/concepts/" + id + "/relations").then().statusCode(201).extract().path("id");
        assertEquals("alice-author", author(id));

        given().auth().oauth2(root).when().delete("/api/concepts/" + id + "/relations/" + relation).then().statusCode(204);
        assertEquals("root-author", author(id));

        given().auth().oauth2(alice).when().delete("/api/concepts/" + id + "/categories/" + category).then().statusCode(204);
        assertEquals("alice-author", author(id));
        assertEquals(7, database.count("select version from concepts where id = '" + id + "'"));
    }

    @Test
    void theBaselineStateIsTheConceptAsTheServiceAnswersIt() throws Exception {
        String alice = TestJwt.user("alice-baseline");
        String id = given().auth().oauth2(alice).contentType(ContentType.JSON).body(Map.of(
                        "name", "Baseline", "description", "As it was", "tradition", "Stoic", "visibility", "PUBLIC",
                        "categories", List.of(Map.of("name", "Zeta", "weight", 0.25, "x", -3.5, "y", 1e6),
                                Map.of("name", "alpha", "description", "first", "weight", 1),
                                Map.of("name", "Émile", "weight", 0), Map.of("name", "😀 joy", "weight", 0.5)),
                        "relations", List.of(Map.of("from", "Zeta", "to", "alpha", "type", "OPPOSES", "rationale", "polar"),
                                Map.of("from", "alpha", "to", "Zeta", "type", "GROUNDS", "weight", 0.1),
                                Map.of("from", "Émile", "to", "Zeta", "type", "GROUNDS"))))
                .when().post("/api/concepts").then().statusCode(201).extract().path("id");
        String answer = given().auth().oauth2(alice).when().get("/api/concepts/" + id).then().statusCode(200)
                .extract().asString();
        String baseline = database.text("select concept_history_state('" + id + "')::text");
        assertEquals(HistoryJson.MAPPER.readValue(answer, io.dialectica.concept.rest.dto.ConceptView.class),
                HistoryJson.MAPPER.readValue(baseline, io.dialectica.concept.rest.dto.ConceptView.class));
    }

    /** A create of the concept as the connector publishes it, then a rename: the groups the tests record. */
    static List<ChangeGroup> twoVersions(UUID id, String owner, String visibility, long firstLsn) {
        UUID thesis = UUID.randomUUID();
        Map<String, Object> v1 = concept(id, owner, "Recorded", null, null, visibility, 0.2, 1, owner);
        return List.of(
                Groups.of(id, firstLsn)
                        .insert(CATEGORIES, category(thesis, "Thesis", null))
                        .insert(CONCEPTS, v1)
                        .insert(MEMBERS, member(UUID.randomUUID(), id, thesis, 0.5, 0, 0))
                        .group(),
                Groups.of(id, firstLsn + 1000)
                        .update(CONCEPTS, v1, with(v1, "name", "Recorded again", "version", 2L))
                        .group());
    }

    @Test
    void aGroupIsRecordedOnceHoweverOftenItComes() throws Exception {
        UUID id = UUID.fromString(create(TestJwt.user("alice-once"), "Once", "PRIVATE"));
        List<ChangeGroup> groups = twoVersions(id, "alice-once", "PRIVATE", 10_000);

        HistoryRecorder.Result first = recorder.record(groups);
        assertEquals(2, first.recorded().size());
        String recorded = rows(id);

        // the same groups again (a re-delivery after a crash), the first alone (a rebalance), and both in one poll
        HistoryRecorder.Result again = recorder.record(groups);
        assertEquals(0, again.recorded().size());
        assertEquals(2, again.repeats());
        assertEquals(1, recorder.record(List.of(groups.get(0))).repeats());
        assertEquals(4, recorder.record(List.of(groups.get(0), groups.get(1), groups.get(0), groups.get(1))).repeats());
        assertEquals(recorded, rows(id));
        assertEquals(2, database.count("select count(*) from concept_versions where concept_id = '" + id + "'"));

        // a snapshot read of the concept is no change: nothing recorded
        HistoryRecorder.Result snapshot = recorder.record(List.of(Groups.of(id, 50_000)
                .read(CONCEPTS, concept(id, "alice-once", "Recorded again", null, null, "PRIVATE", 0.2, 2, "alice-once"))
                .group()));
        assertEquals(1, snapshot.snapshotGroups());
        assertEquals(recorded, rows(id));

        // a change of a concept the history never saw created is not applied to nothing
        UUID unknown = UUID.randomUUID();
        HistoryRecorder.Result orphan = recorder.record(List.of(twoVersions(unknown, "x", "PRIVATE", 60_000).get(1)));
        assertEquals(1, orphan.withoutBase());
        assertEquals(0, database.count("select count(*) from concept_versions where concept_id = '" + unknown + "'"));
    }

    String rows(UUID id) {
        return database.text("select string_agg(concat_ws('|', commit_lsn, version, kind, changed_by, changes::text, "
                + "state::text, recorded_at), E'\\n' order by commit_lsn) from concept_versions where concept_id = '" + id + "'");
    }

    @Test
    void theHistoryIsVisibleAsTheConceptIsAndADeletedOnesToItsOwnerAndAdmins() throws Exception {
        String alice = TestJwt.user("alice-history");
        String bob = TestJwt.user("bob-history");
        String root = TestJwt.admin("root-history");
        String privateId = create(alice, "Private history", "PRIVATE");
        String publicId = create(alice, "Public history", "PUBLIC");
        recorder.record(twoVersions(UUID.fromString(privateId), "alice-history", "PRIVATE", 20_000));
        recorder.record(twoVersions(UUID.fromString(publicId), "alice-history", "PUBLIC", 30_000));

        for (String token : List.of(alice, root)) {
            given().auth().oauth2(token).when().get("/api/concepts/" + privateId + "/history").then().statusCode(200)
                    .body("items.version", contains(2, 1))
                    .body("items.kind", contains("CHANGED", "CREATED"))
                    .body("items.who", contains("alice-history", "alice-history"))
                    .body("items[0].changes.fields", equalTo(List.of(Map.of("field", "name", "from", "Recorded", "to", "Recorded again"))))
                    .body("items[0].commitLsn", equalTo(Lsn.format(21_000)))
                    .body("total", equalTo(2));
            given().auth().oauth2(token).when().get("/api/concepts/" + privateId + "/versions/1").then().statusCode(200)
                    .body("name", equalTo("Recorded")).body("version", equalTo(1)).body("categories.name", contains("Thesis"));
        }
        // another user: the private concept does not exist, nor its history or versions
        given().auth().oauth2(bob).when().get("/api/concepts/" + privateId + "/history").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(bob).when().get("/api/concepts/" + privateId + "/versions/1").then().statusCode(404);
        given().auth().oauth2(bob).when().get("/api/concepts/" + publicId + "/history").then().statusCode(200)
                .body("items", hasSize(2));
        given().auth().oauth2(bob).when().get("/api/concepts/" + publicId + "/versions/2").then().statusCode(200)
                .body("name", equalTo("Recorded again"));

        // paging: newest first, one per page
        given().auth().oauth2(alice).queryParam("size", 1).queryParam("page", 1)
                .when().get("/api/concepts/" + privateId + "/history").then().statusCode(200)
                .body("items.version", contains(1)).body("page", equalTo(1)).body("size", equalTo(1))
                .body("total", equalTo(2)).body("totalPages", equalTo(2));
        given().auth().oauth2(alice).queryParam("size", 0).when().get("/api/concepts/" + privateId + "/history")
                .then().statusCode(400);
        given().auth().oauth2(alice).when().get("/api/concepts/" + privateId + "/versions/3").then().statusCode(404);
        given().auth().oauth2(alice).when().get("/api/concepts/" + privateId + "/versions/zero").then().statusCode(400);
        given().auth().oauth2(alice).when().get("/api/concepts/not-an-id/history").then().statusCode(400);
        given().when().get("/api/concepts/" + privateId + "/history").then().statusCode(401);

        // the public concept deleted by its owner: its history stays hers and the admins', nobody else's
        given().auth().oauth2(alice).when().delete("/api/concepts/" + publicId).then().statusCode(204);
        Map<String, Object> v2 = concept(UUID.fromString(publicId), "alice-history", "Recorded again", null, null,
                "PUBLIC", 0.2, 2, "alice-history");
        Map<String, Object> v3 = with(v2, "version", 3L);
        recorder.record(List.of(Groups.of(UUID.fromString(publicId), 40_000)
                .update(CONCEPTS, v2, v3).delete(CONCEPTS, v3).group()));
        for (String token : List.of(alice, root)) {
            given().auth().oauth2(token).when().get("/api/concepts/" + publicId + "/history").then().statusCode(200)
                    .body("items.kind", contains("DELETED", "CHANGED", "CREATED"))
                    .body("items.version", contains(3, 2, 1))
                    .body("items[0].who", equalTo("alice-history"));
            given().auth().oauth2(token).when().get("/api/concepts/" + publicId + "/versions/2").then().statusCode(200)
                    .body("name", equalTo("Recorded again"));
            given().auth().oauth2(token).when().get("/api/concepts/" + publicId + "/versions/3").then().statusCode(404);
        }
        given().auth().oauth2(bob).when().get("/api/concepts/" + publicId + "/history").then().statusCode(404);
        given().auth().oauth2(bob).when().get("/api/concepts/" + publicId + "/versions/1").then().statusCode(404);
        given().auth().oauth2(alice).when().get("/api/concepts/" + UUID.randomUUID() + "/history").then().statusCode(404);
    }

    @Test
    void aReadWithATokenWaitsForTheHistoryToCatchUp() throws Exception {
        String alice = TestJwt.user("alice-token");
        String id = create(alice, "Awaited", "PRIVATE");
        UUID uuid = UUID.fromString(id);
        List<ChangeGroup> groups = twoVersions(uuid, "alice-token", "PRIVATE", 100);
        recorder.record(List.of(groups.get(0)));

        // caught up (the last recorded version is the concept's): any token is covered, at once
        given().auth().oauth2(alice).header("X-Consistency-Token", "FF/0")
                .when().get("/api/concepts/" + id + "/history").then().statusCode(200).body("items", hasSize(1));
        given().auth().oauth2(alice).header("X-Consistency-Token", "yesterday")
                .when().get("/api/concepts/" + id + "/history").then().statusCode(400);

        // a write the history has not recorded: 504 after the wait, with Retry-After
        Response put = given().auth().oauth2(alice).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(body("Awaited again", "PRIVATE")).when().put("/api/concepts/" + id);
        String token = put.then().statusCode(200).extract().header("X-Consistency-Token");
        given().auth().oauth2(alice).header("X-Consistency-Token", token)
                .when().get("/api/concepts/" + id + "/history").then().statusCode(504)
                .header("Retry-After", "1").body("type", equalTo("urn:dialectica:problem:projection-behind"));
        // without a token: what is recorded, at once
        given().auth().oauth2(alice).when().get("/api/concepts/" + id + "/versions/2").then().statusCode(404);

        // recorded while the reader waits: answered as soon as it is in
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(150);
                recorder.record(List.of(Groups.of(uuid, Lsn.parse(token) + 100)
                        .update(CONCEPTS, concept(uuid, "alice-token", "Recorded", null, null, "PRIVATE", 0.2, 1, "alice-token"),
                                concept(uuid, "alice-token", "Awaited again", null, null, "PRIVATE", 0.2, 2, "alice-token"))
                        .group()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        given().auth().oauth2(alice).header("X-Consistency-Token", token)
                .when().get("/api/concepts/" + id + "/versions/2").then().statusCode(200)
                .body("name", equalTo("Awaited again")).body("description", nullValue());
        writer.join();
    }
}
