package io.dialectica.concept.rest;

import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipelined write path (ConceptStore): one multi-row statement per step, categories found by canonical name
 * in the database, nothing re-read. What it answers must be what it stored, in the order a read gives, with the
 * quality score the stored graph has; concurrent writers sharing categories in any order must all succeed.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class WritePathTest {

    @Inject
    Database database;

    /** The benchmark's concept: 5 categories, 5 relations. */
    static Map<String, Object> fiveByFive(String name) {
        return Map.of(
                "name", name,
                "tradition", "German Idealism",
                "visibility", "PRIVATE",
                "description", "The opening triad of the Science of Logic, used as the benchmark read.",
                "categories", List.of(
                        Map.of("name", "Being", "weight", 0.9, "x", -12.5, "y", 3),
                        Map.of("name", "Nothing", "weight", 0.9, "x", 200, "y", 0),
                        Map.of("name", "Becoming", "weight", 1.0, "description", "The unity of being and nothing"),
                        Map.of("name", "Determinate being", "weight", 0.7, "x", 1e6, "y", -1e6),
                        Map.of("name", "Quality", "weight", 0.6)),
                "relations", List.of(
                        Map.of("from", "Being", "to", "Nothing", "type", "NEGATES", "rationale", "pure being is pure nothing"),
                        Map.of("from", "Becoming", "to", "Being", "type", "SUBLATES", "weight", 0.25),
                        Map.of("from", "Becoming", "to", "nothing", "type", "sublates"),
                        Map.of("from", "Determinate being", "to", "Becoming", "type", "PRESUPPOSES"),
                        Map.of("from", "Quality", "to", "DETERMINATE  being", "type", "PART_OF", "weight", 0)));
    }

    @Test
    void aCreateAnswersExactlyWhatAReadReturns() {
        String owner = TestJwt.user("batched");
        Response created = Concepts.create(owner, fiveByFive("Batched")).statusCode(201).extract().response();
        String id = created.path("id");
        String read = given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().statusCode(200)
                .extract().asString();
        // the same document, field for field and in the same order: ids, weights, places, names, relation ends
        assertEquals(JsonPath.from(read).getMap("$"), JsonPath.from(created.asString()).getMap("$"));

        JsonPath concept = created.jsonPath();
        assertEquals(List.of("Becoming", "Being", "Determinate being", "Nothing", "Quality"), concept.getList("categories.name"));
        assertEquals(List.of(1.0f, 0.9f, 0.7f, 0.9f, 0.6f), concept.getList("categories.weight"));
        assertEquals(List.of(0f, -12.5f, 1e6f, 200f, 0f), concept.getList("categories.x"));
        assertEquals(List.of(0f, 3f, -1e6f, 0f, 0f), concept.getList("categories.y"));
        assertEquals("The unity of being and nothing", concept.getString("categories.find { it.name == 'Becoming' }.description"));
        Map<String, String> idByName = new HashMap<>();
        concept.getList("categories", Map.class).forEach(c -> idByName.put((String) c.get("name"), (String) c.get("id")));
        for (Map<?, ?> relation : concept.getList("relations", Map.class)) {
            assertEquals(idByName.get((String) relation.get("from")), relation.get("fromCategoryId"), relation.toString());
            assertEquals(idByName.get((String) relation.get("to")), relation.get("toCategoryId"), relation.toString());
        }
        assertEquals(List.of("NEGATES", "PART_OF", "PRESUPPOSES", "SUBLATES", "SUBLATES"), concept.getList("relations.type"));
        assertEquals(0.25f, concept.getFloat("relations.find { it.type == 'SUBLATES' && it.to == 'Being' }.weight"));
        assertEquals(0.5f, concept.getFloat("relations.find { it.type == 'SUBLATES' && it.to == 'Nothing' }.weight"));
        assertEquals(0f, concept.getFloat("relations.find { it.type == 'PART_OF' }.weight"));

        // the rows: one concept row, written once (version 1), 5 memberships, 5 relations whose ends are members
        assertEquals(5, database.count("select count(*) from concept_categories where concept_id = '" + id + "'"));
        assertEquals(5, database.count("select count(*) from concept_relations r join concept_categories f"
                + " on f.concept_id = r.concept_id and f.category_id = r.from_category_id join concept_categories t"
                + " on t.concept_id = r.concept_id and t.category_id = r.to_category_id where r.concept_id = '" + id + "'"));
        assertEquals(1, database.count("select version from concepts where id = '" + id + "'"));
    }

    /**
     * The score is computed from the request before anything is written (categories by canonical name), and
     * from the stored graph (by category id) on every later change: both must agree, and equal what the
     * previous write path (insert, re-list, update) gave for the same concept.
     */
    @Test
    void theQualityScoreOfACreateIsTheOneOfTheStoredGraph() {
        String owner = TestJwt.user("scored");
        Response created = Concepts.create(owner, fiveByFive("Scored")).statusCode(201).extract().response();
        // description 70 of 80 characters 0.875, 5 categories 1, 5 relations for 4 wanted 1, all 5 connected 1,
        // 1 of 5 relations with a rationale 0.2: 0.2 × 4.075
        assertEquals(0.815f, created.jsonPath().getFloat("qualityScore"));
        String id = created.path("id");
        String being = created.path("categories.find { it.name == 'Being' }.id");
        // a change of a weight recomputes the score from the stored rows
        given().auth().oauth2(owner).contentType(ContentType.JSON).body(Map.of("weight", 0.3))
                .when().put("/api/concepts/" + id + "/categories/" + being).then().statusCode(200);
        given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().statusCode(200)
                .body("version", equalTo(2)).body("qualityScore", equalTo(0.815f));
        assertEquals(815, database.count("select round(quality_score * 1000)::bigint from concepts where id = '" + id + "'"));
    }

    /**
     * A replace writes only what changed: kept memberships and relations keep their ids (and rows not changed are
     * not rewritten), removed ones go, new ones come; the answer is what a read then returns.
     */
    @Test
    void aReplaceKeepsIdsAndAnswersWhatIsStored() {
        String owner = TestJwt.user("replacer");
        Response created = Concepts.create(owner, fiveByFive("Replaced")).statusCode(201).extract().response();
        String id = created.path("id");
        String memberIds = "select string_agg(id::text, ',' order by id) from concept_categories where concept_id = '"
                + id + "' and category_id in (select id from categories where canonical_name in ('being', 'nothing'))";
        String before = database.text(memberIds);
        String negates = created.path("relations.find { it.type == 'NEGATES' }.id");

        Map<String, Object> body = new HashMap<>(fiveByFive("Replaced"));
        body.put("categories", List.of(
                Map.of("name", "being", "weight", 0.9, "x", -12.5, "y", 3),
                Map.of("name", "Nothing", "weight", 0.1, "x", 200, "y", 0),
                Map.of("name", "Essence", "weight", 0.4, "description", "Being gone into itself")));
        body.put("relations", List.of(
                Map.of("from", "Being", "to", "Nothing", "type", "NEGATES", "rationale", "pure being is pure nothing"),
                Map.of("from", "Essence", "to", "Being", "type", "SUBLATES", "rationale", "the truth of being")));
        Response replaced = given().auth().oauth2(owner).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(body).when().put("/api/concepts/" + id).andReturn();
        replaced.then().statusCode(200).header("ETag", "\"2\"");
        String read = given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().statusCode(200)
                .extract().asString();
        assertEquals(JsonPath.from(read).getMap("$"), JsonPath.from(replaced.asString()).getMap("$"));
        assertEquals(before, database.text(memberIds));
        assertEquals(negates, replaced.path("relations.find { it.type == 'NEGATES' }.id"));
        assertEquals(List.of("Being", "Essence", "Nothing"), replaced.jsonPath().getList("categories.name"));
        assertEquals(0.1f, replaced.jsonPath().getFloat("categories.find { it.name == 'Nothing' }.weight"));
        assertEquals("Being gone into itself", replaced.path("categories.find { it.name == 'Essence' }.description"));
        assertEquals(3, database.count("select count(*) from concept_categories where concept_id = '" + id + "'"));
        assertEquals(2, database.count("select count(*) from concept_relations where concept_id = '" + id + "'"));
        // 3 categories, 2 relations (2 wanted), all connected, both justified, description 70/80: 0.2 × 4.875
        assertEquals(0.975f, replaced.jsonPath().getFloat("qualityScore"));
    }

    /** One order for reads and writes: display names by code point (what PostgreSQL's C collation gives). */
    @Test
    void categoriesComeInOneOrderWhateverTheirNames() {
        String owner = TestJwt.user("orderly");
        List<String> names = List.of("Zeta", "alpha", "Ärger", "\uD83D\uDE00 smile", "\uFB00 ligature", "_under", "Alpha beta");
        List<Map<String, Object>> categories = names.stream().map(n -> Map.<String, Object>of("name", n)).toList();
        Response created = Concepts.create(owner, Map.of("name", "Orderly", "categories", categories)).statusCode(201)
                .extract().response();
        List<String> sorted = new ArrayList<>(names);
        sorted.sort((a, b) -> {
            int[] x = a.codePoints().toArray();
            int[] y = b.codePoints().toArray();
            return java.util.Arrays.compare(x, y);
        });
        assertEquals(sorted, created.jsonPath().getList("categories.name"));
        given().auth().oauth2(owner).when().get("/api/concepts/" + created.path("id")).then()
                .body("categories.name", equalTo(sorted));
        given().auth().oauth2(owner).when().get("/api/concepts/" + created.path("id") + "/categories").then()
                .body("name", equalTo(sorted));
    }

    /**
     * Creates sharing categories — some already stored without a description, some new — named in opposite orders,
     * each giving descriptions, all at once: the inserts of new names and the filling of missing descriptions take
     * their locks in canonical-name order, so none deadlocks (40P01 would be a 409 here). Every category exists
     * once, every concept has all of them, and each missing description was filled by exactly one writer.
     */
    @Test
    void concurrentCreatesSharingCategoriesInOppositeOrdersAllSucceed() throws Exception {
        String owner = TestJwt.user("sharer");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add("Deadlock bait " + i);
        }
        // half of them exist already, without a description
        Concepts.create(owner, Map.of("name", "Seed", "categories",
                names.subList(0, 5).stream().map(n -> Map.<String, Object>of("name", n)).toList())).statusCode(201);
        List<Callable<Integer>> creates = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            List<String> order = new ArrayList<>(names);
            if (i % 2 == 1) {
                Collections.reverse(order);
            }
            if (i % 4 == 2) {
                Collections.rotate(order, 3);
            }
            String writer = "writer " + i;
            List<Map<String, Object>> categories = order.stream()
                    .map(n -> Map.<String, Object>of("name", n, "description", n + " as seen by " + writer))
                    .toList();
            List<Map<String, Object>> relations = new ArrayList<>();
            for (int k = 1; k < order.size(); k++) {
                relations.add(Map.of("from", order.get(k - 1), "to", order.get(k), "type", "IMPLIES"));
            }
            Map<String, Object> body = Map.of("name", "Shared " + i, "visibility", "PRIVATE",
                    "categories", categories, "relations", relations);
            creates.add(() -> Concepts.create(owner, body).extract().statusCode());
        }
        List<Integer> statuses = Concepts.allAtOnce(creates);
        assertEquals(creates.size(), statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        String inList = "('deadlock bait 0','deadlock bait 1','deadlock bait 2','deadlock bait 3','deadlock bait 4',"
                + "'deadlock bait 5','deadlock bait 6','deadlock bait 7','deadlock bait 8','deadlock bait 9')";
        assertEquals(10, database.count("select count(*) from categories where canonical_name in " + inList));
        assertEquals(10, database.count("select count(*) from categories where description like '% as seen by writer %'"
                + " and canonical_name in " + inList));
        assertEquals(16 * 10, database.count("select count(*) from concept_categories m join concepts c on c.id = m.concept_id"
                + " where c.owner = 'sharer' and c.name like 'Shared %'"));
        assertEquals(16 * 9, database.count("select count(*) from concept_relations r join concepts c on c.id = r.concept_id"
                + " where c.owner = 'sharer' and c.name like 'Shared %'"));
    }

    /**
     * Replaces and creates on shared categories at once, each with its own lock order in the request: the
     * memberships' foreign keys share-lock categories that other writes are filling or inserting. All succeed.
     */
    @Test
    void concurrentReplacesAndCreatesOnSharedCategoriesAllSucceed() throws Exception {
        String owner = TestJwt.user("mixer");
        List<String> names = List.of("Mix A", "Mix B", "Mix C", "Mix D", "Mix E", "Mix F");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(Concepts.createId(owner, Map.of("name", "Mixed " + i,
                    "categories", List.of(Map.of("name", names.get(i)), Map.of("name", "Mix private " + i)))));
        }
        List<Callable<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            List<String> order = new ArrayList<>(names);
            Collections.rotate(order, i);
            if (i % 2 == 0) {
                Collections.reverse(order);
            }
            List<Map<String, Object>> categories = order.stream()
                    .map(n -> Map.<String, Object>of("name", n, "description", "described by " + n)).toList();
            Map<String, Object> body = Map.of("name", "Mixed write " + i, "categories", categories,
                    "relations", List.of(Map.of("from", order.get(0), "to", order.get(5), "type", "GROUNDS")));
            if (i < 6) {
                String id = ids.get(i);
                writes.add(() -> given().auth().oauth2(owner).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                        .body(body).when().put("/api/concepts/" + id).statusCode());
            } else {
                writes.add(() -> Concepts.create(owner, body).extract().statusCode());
            }
        }
        List<Integer> statuses = Concepts.allAtOnce(writes);
        assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 201), statuses.toString());
        for (String id : ids) {
            given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().statusCode(200)
                    .body("version", equalTo(2)).body("categories.size()", equalTo(6))
                    .body("relations.size()", equalTo(1)).body("categories.description", hasItem("described by Mix A"));
        }
    }

    /**
     * Fine-grained writes to one concept at once, without If-Match: each reads the graph only once it holds the
     * row lock (the read is pipelined behind the lock), so none is lost and every version is used exactly once.
     */
    @Test
    void concurrentFineGrainedWritesOnOneConceptAreSerialised() throws Exception {
        String owner = TestJwt.user("serial");
        String id = Concepts.createId(owner, Concepts.hegel("Serial", "PRIVATE"));
        List<Callable<String>> adds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "Moment " + i;
            adds.add(() -> given().auth().oauth2(owner).contentType(ContentType.JSON).body(Map.of("name", name))
                    .when().post("/api/concepts/" + id + "/categories").then().statusCode(201).extract().header("ETag"));
        }
        Set<String> etags = new HashSet<>(Concepts.allAtOnce(adds));
        assertEquals(10, etags.size(), etags.toString());
        JsonPath concept = given().auth().oauth2(owner).when().get("/api/concepts/" + id).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(11, concept.getInt("version"));
        assertEquals(13, concept.getList("categories").size());
        // the score counts all 13: description 1, categories 1, relations 2 of 12 wanted, 3 of 13 connected,
        // 1 of 2 justified: 0.2 × (2 + 1/6 + 3/13 + 1/2)
        assertEquals(0.579f, concept.getFloat("qualityScore"));
    }

    /**
     * A database constraint that only PostgreSQL checks (a canonical name over 200 characters: NFKC turns each
     * ligature into two letters) fails one statement of the pipeline: the write is refused whole and nothing of it
     * stays, although the statements behind it (and the COMMIT) had already been sent.
     */
    @Test
    void aStatementFailingInThePipelineLeavesNothing() {
        String owner = TestJwt.user("overlong");
        String before = database.fingerprint();
        Concepts.create(owner, Map.of("name", "Overlong", "categories",
                        List.of(Map.of("name", "Fine"), Map.of("name", "\uFB00".repeat(200))),
                        "relations", List.of(Map.of("from", "Fine", "to", "\uFB00".repeat(200), "type", "IMPLIES"))))
                .statusCode(422).contentType("application/problem+json");
        assertEquals(before, database.fingerprint());
        // and the pooled connections are healthy: none left inside a transaction
        Concepts.create(owner, Map.of("name", "After the overlong one")).statusCode(201);
        assertEquals(0, database.count("select count(*) from pg_stat_activity where datname = current_database()"
                + " and state like 'idle in transaction%'"));
    }
}
