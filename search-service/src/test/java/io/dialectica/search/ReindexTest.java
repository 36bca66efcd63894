package io.dialectica.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.search.embedding.Vectors;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.dialectica.search.ChangeStream.CATEGORIES;
import static io.dialectica.search.ChangeStream.CONCEPTS;
import static io.dialectica.search.ChangeStream.MEMBERSHIPS;
import static io.dialectica.search.ChangeStream.RELATIONS;
import static io.dialectica.search.ChangeStream.category;
import static io.dialectica.search.ChangeStream.concept;
import static io.dialectica.search.ChangeStream.id;
import static io.dialectica.search.ChangeStream.insert;
import static io.dialectica.search.ChangeStream.membership;
import static io.dialectica.search.ChangeStream.relation;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rebuild from PostgreSQL while searches run: every search answers, the same answer before, during and after,
 * and the alias points at the new index. Independent of the class order: every other test class projects
 * concepts that are not in PostgreSQL and finishes before the next class starts.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(SearchTestStack.class)
class ReindexTest {

    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String TRADITION = "Reindex-" + RUN;
    static final List<String> conceptIds = new ArrayList<>();
    static final List<String> categoryIds = new ArrayList<>();

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(SearchTestStack.PG_URL, SearchTestStack.PG_USER, SearchTestStack.PG_PASSWORD);
    }

    @AfterAll
    static void cleanUp() throws SQLException {
        try (Connection c = connect()) {
            for (String id : conceptIds) {
                try (PreparedStatement ps = c.prepareStatement("delete from concepts where id = ?::uuid")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
            for (String id : categoryIds) {
                try (PreparedStatement ps = c.prepareStatement("delete from categories where id = ?::uuid")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
        }
    }

    @Test
    void searchesKeepAnsweringTheSameDuringAndAfterARebuild() throws Exception {
        // the same state in PostgreSQL and, through the change stream, in the live index
        try (ChangeStream stream = new ChangeStream(); Connection db = connect()) {
            String shared = id();
            categoryIds.add(shared);
            Map<String, Object> sharedRow = category(shared, "Totality " + RUN, "The true is the whole");
            insertRow(db, "insert into categories (id, name, canonical_name, description) values (?::uuid, ?, ?, ?)",
                    shared, sharedRow.get("name"), sharedRow.get("canonical_name"), sharedRow.get("description"));
            stream.tx().category(shared, insert(CATEGORIES, sharedRow)).send();
            long last = 0;
            for (int i = 0; i < 3; i++) {
                String conceptId = id();
                String own = id();
                conceptIds.add(conceptId);
                categoryIds.add(own);
                String owner = i == 2 ? "zoe" : "yann";
                String visibility = i == 2 ? "PRIVATE" : "PUBLIC";
                Map<String, Object> conceptRow = concept(conceptId, owner, "Whole " + i + " " + RUN,
                        "Description " + i, TRADITION, visibility, 1);
                Map<String, Object> ownRow = category(own, "Part " + i + " " + RUN, null);
                Map<String, Object> m1 = membership(id(), conceptId, shared, 0.5);
                Map<String, Object> m2 = membership(id(), conceptId, own, 0.7);
                Map<String, Object> rel = relation(id(), conceptId, own, shared, "PART_OF", "a moment of the whole");
                Timestamp now = Timestamp.from(Instant.parse((String) conceptRow.get("updated_at")));
                insertRow(db, "insert into concepts (id, owner, name, description, tradition, visibility, quality_score, "
                        + "version, created_at, updated_at) values (?::uuid, ?, ?, ?, ?, ?, 0.5, 1, ?, ?)", conceptId, owner,
                        conceptRow.get("name"), conceptRow.get("description"), TRADITION, visibility, now, now);
                insertRow(db, "insert into categories (id, name, canonical_name) values (?::uuid, ?, ?)", own,
                        ownRow.get("name"), ownRow.get("canonical_name"));
                for (Map<String, Object> m : List.of(m1, m2)) {
                    insertRow(db, "insert into concept_categories (id, concept_id, category_id, weight) values "
                            + "(?::uuid, ?::uuid, ?::uuid, ?)", m.get("id"), conceptId, m.get("category_id"), m.get("weight"));
                }
                insertRow(db, "insert into concept_relations (id, concept_id, from_category_id, to_category_id, type, "
                        + "weight, rationale) values (?::uuid, ?::uuid, ?::uuid, ?::uuid, ?, ?, ?)", rel.get("id"),
                        conceptId, own, shared, "PART_OF", rel.get("weight"), rel.get("rationale"));
                last = stream.tx()
                        .concept(conceptId, insert(CONCEPTS, conceptRow))
                        .concept(conceptId, insert(CATEGORIES, ownRow))
                        .concept(conceptId, insert(MEMBERSHIPS, m1))
                        .concept(conceptId, insert(MEMBERSHIPS, m2))
                        .concept(conceptId, insert(RELATIONS, rel))
                        .category(own, insert(CATEGORIES, ownRow))
                        .send();
            }
            Fixtures.awaitSearchable(last);
        }
        // graph-service's vector of the first concept's text, as the vector consumer stores it: SQL has none, the
        // rebuild takes it from the side index
        float[] vector = new float[ConceptText.DIMENSIONS];
        vector[0] = 0.6f;
        vector[1] = 0.8f;
        String text = ConceptText.of("Whole 0 " + RUN, "Description 0", List.of("Totality " + RUN, "Part 0 " + RUN));
        String key = ConceptText.key(text);
        OpenSearchDocs.send("PUT", "/" + SearchTestStack.EMBEDDINGS + "/_doc/" + conceptIds.get(0) + "?refresh=true",
                ChangeStream.JSON.writeValueAsString(Map.of("conceptId", conceptIds.get(0), "key", key,
                        "model", ConceptText.RECIPE, "vector", Vectors.encode(vector))));
        String before = searchAsAdmin();
        JsonNode beforeJson = ChangeStream.JSON.readTree(before);
        assertEquals(3, beforeJson.path("total").asInt());
        String oldIndex = OpenSearchDocs.call("GET", "/_alias/" + SearchTestStack.ALIAS).fieldNames().next();

        CompletableFuture<Response> reindex = CompletableFuture.supplyAsync(() -> given()
                .auth().oauth2(TestJwt.admin("operator")).when().post("/admin/reindex"));
        int during = 0;
        while (!reindex.isDone() || during < 3) {
            assertEquals(before, searchAsAdmin(), "a search during the rebuild");
            during++;
        }
        Response result = reindex.get();
        result.then().statusCode(200);
        String newIndex = result.path("index");
        long snapshot = Lsn.parse(result.path("snapshotLsn"));
        assertEquals(oldIndex, result.path("previous"));
        assertNotEquals(oldIndex, newIndex);
        assertEquals(List.of(newIndex), List.copyOf(iterable(OpenSearchDocs.call("GET", "/_alias/" + SearchTestStack.ALIAS))));
        assertEquals(before, searchAsAdmin(), "the same answer from the rebuilt index");
        JsonNode doc = OpenSearchDocs.concept(conceptIds.get(0));
        assertEquals(snapshot, doc.path("_version").asLong(), "snapshot documents carry the snapshot LSN");
        assertEquals(2, doc.path("_source").path("categories").size());
        assertEquals("The true is the whole", doc.path("_source").path("categories").findValuesAsText("description")
                .stream().filter(d -> !d.isEmpty()).findFirst().orElse(""));
        assertTrue(during >= 3);
        assertEquals(key, doc.path("_source").path("embeddingKey").asText(), "the rebuilt document has its vector");
        assertArrayEquals(vector, Vectors.decode(doc.path("_source").path("embedding").asText()));
        assertTrue(OpenSearchDocs.concept(conceptIds.get(1)).path("_source").path("embeddingKey").isMissingNode());
        // visibility still applies after the swap
        given().auth().oauth2(TestJwt.user("yann")).queryParam("tradition", TRADITION).when().get("/api/search")
                .then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(2));
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String searchAsAdmin() {
        Response response = given().auth().oauth2(TestJwt.admin("operator")).queryParam("tradition", TRADITION)
                .queryParam("size", 10).when().get("/api/search");
        response.then().statusCode(200);
        return response.asString();
    }

    private static void insertRow(Connection db, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }
}
