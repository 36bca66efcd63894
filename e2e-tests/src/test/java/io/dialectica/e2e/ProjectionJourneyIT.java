package io.dialectica.e2e;

import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.ConvergenceReport;
import io.dialectica.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A concept's life through the gateway, and after every write the graph and the search answers — read
 * once, right after the write, with the write's {@code X-Consistency-Token} and no polling — show exactly
 * that write; the convergence checker agrees field by field.
 */
@ExtendWith(Stack.class)
class ProjectionJourneyIT {

    private static final String TOKEN = "X-Consistency-Token";
    private static ConvergenceChecker checker;

    private final String alice = TestJwt.user("alice-projection");
    private final String bob = TestJwt.user("bob-projection");
    /** Words no other concept contains: the search answers are about this concept only. */
    private final String firstWord = marker();
    private final String secondWord = marker();
    private final String rationaleWord = marker();

    @BeforeAll
    static void openChecker() {
        checker = Stack.checker();
    }

    @AfterAll
    static void closeChecker() {
        checker.close();
    }

    private static String marker() {
        return "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).replaceAll("[0-9]", "k");
    }

    private Map<String, Object> concept(String name, String visibility) {
        return new HashMap<>(Map.of(
                "name", name,
                "description", "The movement of the concept through its own moments.",
                "tradition", "Hegelian",
                "visibility", visibility,
                "categories", List.of(
                        Map.of("name", "Being", "weight", 0.9, "x", 10.0, "y", 20.0),
                        Map.of("name", "Nothing", "weight", 0.8),
                        Map.of("name", "Becoming", "weight", 1.0, "x", 100.0, "y", 150.0)),
                "relations", List.of(
                        Map.of("from", "Being", "to", "Nothing", "type", "NEGATES", "weight", 0.9,
                                "rationale", "Pure being, taken purely, is nothing"),
                        Map.of("from", "Becoming", "to", "Being", "type", "SUBLATES", "weight", 0.7))));
    }

    @Test
    void everyWriteIsVisibleInGraphAndSearchRightAfterItWithItsToken() {
        // create
        Response created = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(concept("Logic of Being " + firstWord, "PUBLIC")).when().post("/api/concepts");
        created.then().statusCode(201).header(TOKEN, notNullValue());
        String id = created.path("id");
        String token = created.header(TOKEN);

        graph(alice, id, token).statusCode(200)
                .body("id", equalTo(id)).body("name", equalTo("Logic of Being " + firstWord))
                .body("tradition", equalTo("Hegelian")).body("owner", equalTo("alice-projection"))
                .body("visibility", equalTo("PUBLIC"))
                .body("categories.name", containsInAnyOrder("Being", "Nothing", "Becoming"))
                .body("categories.find { it.name == 'Becoming' }.x", equalTo(100.0f))
                .body("relations.type", containsInAnyOrder("NEGATES", "SUBLATES"))
                .body("relations.find { it.type == 'NEGATES' }.rationale", equalTo("Pure being, taken purely, is nothing"));
        search(alice, firstWord, token).statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(id))
                .body("items[0].name", equalTo("Logic of Being " + firstWord));
        assertConverged(id);

        // rename (whole replace with If-Match): the old word is gone, the new one found
        Response current = given().auth().oauth2(alice).when().get("/api/concepts/" + id);
        Map<String, Object> edited = new HashMap<>(current.as(Map.class));
        edited.put("name", "Logic of Essence " + secondWord);
        Response renamed = given().auth().oauth2(alice).contentType(ContentType.JSON).header("If-Match", current.header("ETag"))
                .body(edited).when().put("/api/concepts/" + id);
        renamed.then().statusCode(200);
        token = renamed.header(TOKEN);
        graph(alice, id, token).statusCode(200).body("name", equalTo("Logic of Essence " + secondWord));
        search(alice, secondWord, token).statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(id));
        search(alice, firstWord, token).statusCode(200).body("total", equalTo(0));
        assertConverged(id);

        // add a category, then a relation to it
        Response added = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("name", "Determinate being", "weight", 0.6)).when().post("/api/concepts/" + id + "/categories");
        added.then().statusCode(201);
        String determinateId = added.path("id");
        token = added.header(TOKEN);
        graph(alice, id, token).statusCode(200)
                .body("categories.name", containsInAnyOrder("Being", "Nothing", "Becoming", "Determinate being"));
        searchCategory(alice, "Determinate being", token).statusCode(200).body("items.id", hasItem(id));
        assertConverged(id);

        Response related = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("from", "Determinate being", "to", "Becoming", "type", "PRESUPPOSES", "weight", 0.4,
                        "rationale", "Determinate being is becoming come to rest " + rationaleWord))
                .when().post("/api/concepts/" + id + "/relations");
        related.then().statusCode(201);
        String relationId = related.path("id");
        token = related.header(TOKEN);
        graph(alice, id, token).statusCode(200)
                .body("relations.type", containsInAnyOrder("NEGATES", "SUBLATES", "PRESUPPOSES"))
                .body("relations.find { it.type == 'PRESUPPOSES' }.fromCategoryId", equalTo(determinateId));
        search(alice, rationaleWord, token).statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(id));
        assertConverged(id);

        // remove the relation, then a category (its relations go with it)
        Response unrelated = given().auth().oauth2(alice).when().delete("/api/concepts/" + id + "/relations/" + relationId);
        unrelated.then().statusCode(204);
        token = unrelated.header(TOKEN);
        graph(alice, id, token).statusCode(200).body("relations.type", containsInAnyOrder("NEGATES", "SUBLATES"));
        search(alice, rationaleWord, token).statusCode(200).body("total", equalTo(0));
        assertConverged(id);

        String nothingId = given().auth().oauth2(alice).when().get("/api/concepts/" + id).then().statusCode(200)
                .extract().path("categories.find { it.name == 'Nothing' }.id");
        Response removed = given().auth().oauth2(alice).when().delete("/api/concepts/" + id + "/categories/" + nothingId);
        removed.then().statusCode(204);
        token = removed.header(TOKEN);
        graph(alice, id, token).statusCode(200)
                .body("categories.name", containsInAnyOrder("Being", "Becoming", "Determinate being"))
                .body("relations.type", containsInAnyOrder("SUBLATES"));
        searchCategory(alice, "Nothing", token).statusCode(200).body("items.id", not(hasItem(id)));
        assertConverged(id);

        // delete: gone from both
        Response deleted = given().auth().oauth2(alice).when().delete("/api/concepts/" + id);
        deleted.then().statusCode(204);
        token = deleted.header(TOKEN);
        graph(alice, id, token).statusCode(404).contentType(startsWith("application/problem+json"));
        search(alice, secondWord, token).statusCode(200).body("total", equalTo(0)).body("items", empty());
        assertConverged(id);
    }

    @Test
    void aPrivateConceptIsInvisibleToOthersInGraphAndSearch() {
        Response created = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(concept("Phenomenology " + firstWord, "PRIVATE")).when().post("/api/concepts");
        created.then().statusCode(201);
        String id = created.path("id");
        String token = created.header(TOKEN);

        graph(alice, id, token).statusCode(200).body("visibility", equalTo("PRIVATE"));
        search(alice, firstWord, token).statusCode(200).body("total", equalTo(1));
        graph(bob, id, token).statusCode(404).contentType(startsWith("application/problem+json"));
        search(bob, firstWord, token).statusCode(200).body("total", equalTo(0)).body("items", hasSize(0));

        // made PUBLIC: bob sees it too
        Response current = given().auth().oauth2(alice).when().get("/api/concepts/" + id);
        Map<String, Object> edited = new HashMap<>(current.as(Map.class));
        edited.put("visibility", "PUBLIC");
        Response published = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .header("If-Match", current.header("ETag")).body(edited).when().put("/api/concepts/" + id);
        published.then().statusCode(200);
        token = published.header(TOKEN);
        graph(bob, id, token).statusCode(200).body("visibility", equalTo("PUBLIC"));
        search(bob, firstWord, token).statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(id));
        assertConverged(id);

        given().auth().oauth2(alice).when().delete("/api/concepts/" + id).then().statusCode(204);
    }

    private static ValidatableResponse graph(String user, String id, String token) {
        assertNotNull(token, "the write answered no consistency token");
        return given().auth().oauth2(user).header(TOKEN, token).when().get("/api/graph/concepts/" + id).then();
    }

    private static ValidatableResponse search(String user, String q, String token) {
        return given().auth().oauth2(user).header(TOKEN, token).queryParam("q", q).when().get("/api/search").then();
    }

    private static ValidatableResponse searchCategory(String user, String category, String token) {
        return given().auth().oauth2(user).header(TOKEN, token).queryParam("category", category).queryParam("size", 100)
                .when().get("/api/search").then();
    }

    private static void assertConverged(String id) {
        ConvergenceReport report = checker.check(List.of(id));
        assertTrue(report.converged(), report.describe());
    }
}
