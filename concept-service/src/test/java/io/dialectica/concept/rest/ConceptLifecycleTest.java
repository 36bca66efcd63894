package io.dialectica.concept.rest;

import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class ConceptLifecycleTest {

    @Inject
    Database database;

    @Test
    void createReadReplaceDelete() {
        String alice = TestJwt.user("alice-lifecycle");
        Response created = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Concepts.hegel("Being, Nothing, Becoming", "PUBLIC"))
                .when().post("/api/concepts");
        created.then().statusCode(201)
                .header("Location", matchesPattern(".*/api/concepts/[0-9a-f-]{36}$"))
                .header("ETag", "\"1\"")
                .header("X-Consistency-Token", matchesPattern("[0-9A-F]+/[0-9A-F]+"))
                .body("owner", equalTo("alice-lifecycle"))
                .body("version", equalTo(1))
                .body("visibility", equalTo("PUBLIC"))
                .body("categories", hasSize(3))
                .body("categories.name", containsInAnyOrder("Being", "Nothing", "Becoming"))
                .body("relations", hasSize(2))
                .body("relations.find { it.type == 'NEGATES' }.from", equalTo("Being"))
                .body("relations.find { it.type == 'NEGATES' }.to", equalTo("Nothing"))
                .body("qualityScore", greaterThan(0.5f));
        String id = created.path("id");

        given().auth().oauth2(alice).when().get(created.header("Location")).then()
                .statusCode(200).header("ETag", "\"1\"").body("name", equalTo("Being, Nothing, Becoming"));
        given().auth().oauth2(alice).header("If-None-Match", "\"1\"").when().get("/api/concepts/" + id)
                .then().statusCode(304);

        // replace: drop Nothing (its relation goes with it), add Dasein, keep Being's membership id stable
        Map<String, Object> replacement = new HashMap<>(Concepts.hegel("Being and Becoming", "PUBLIC"));
        replacement.put("categories", List.of(
                Map.of("name", "being", "weight", 0.7),
                Map.of("name", "Becoming", "weight", 1.0),
                Map.of("name", "Dasein", "weight", 0.6)));
        replacement.put("relations", List.of(
                Map.of("from", "Becoming", "to", "Being", "type", "sublates", "weight", 0.9),
                Map.of("from", "Dasein", "to", "Becoming", "type", "PRESUPPOSES")));
        String beingId = created.path("categories.find { it.name == 'Being' }.id");
        String sublatesId = created.path("relations.find { it.type == 'SUBLATES' }.id");

        given().auth().oauth2(alice).contentType(ContentType.JSON).body(replacement)
                .when().put("/api/concepts/" + id).then()
                .statusCode(428).contentType("application/problem+json").body("status", equalTo(428));
        String replacedToken = given().auth().oauth2(alice).contentType(ContentType.JSON).header("If-Match", "\"1\"").body(replacement)
                .when().put("/api/concepts/" + id).then()
                .statusCode(200).header("ETag", "\"2\"")
                .body("version", equalTo(2))
                .body("name", equalTo("Being and Becoming"))
                .body("categories.name", containsInAnyOrder("Being", "Becoming", "Dasein"))
                .body("categories.find { it.name == 'Being' }.id", equalTo(beingId))
                .body("categories.find { it.name == 'Being' }.weight", equalTo(0.7f))
                .body("relations", hasSize(2))
                .body("relations.find { it.type == 'SUBLATES' }.id", equalTo(sublatesId))
                .body("relations.find { it.type == 'SUBLATES' }.weight", equalTo(0.9f))
                .body("relations.find { it.type == 'PRESUPPOSES' }.weight", equalTo(0.5f))
                .extract().header("X-Consistency-Token");
        // the token is a WAL position: a later write has a later one
        org.junit.jupiter.api.Assertions.assertTrue(lsn(replacedToken) > lsn(created.header("X-Consistency-Token")));

        // a stale If-Match loses, and changes nothing
        String before = database.fingerprint();
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Concepts.hegel("Stale write", "PUBLIC"))
                .when().put("/api/concepts/" + id).then()
                .statusCode(412).contentType("application/problem+json").body("title", equalTo("Precondition failed"));
        assertEquals(before, database.fingerprint());

        given().auth().oauth2(alice).header("If-Match", "\"1\"").when().delete("/api/concepts/" + id)
                .then().statusCode(412);
        given().auth().oauth2(alice).header("If-Match", "\"2\"").when().delete("/api/concepts/" + id)
                .then().statusCode(204).header("X-Consistency-Token", notNullValue());
        given().auth().oauth2(alice).when().get("/api/concepts/" + id).then()
                .statusCode(404).contentType("application/problem+json");
        assertEquals(0, database.count("select count(*) from concept_categories where concept_id = '" + id + "'"));
        // shared categories outlive the concept
        assertEquals(1, database.count("select count(*) from categories where canonical_name = 'dasein'"));
    }

    @Test
    void categoriesAreSharedByCanonicalName() {
        String bob = TestJwt.user("bob-shared");
        Response first = Concepts.create(bob, Map.of("name", "First", "categories",
                List.of(Map.of("name", "Ｓｕｂｓｔａｎｃｅ", "description", "That which exists in itself")))).statusCode(201)
                .extract().response();
        Response second = Concepts.create(bob, Map.of("name", "Second", "categories",
                List.of(Map.of("name", "  substance  ", "description", "ignored: the first description stays"))))
                .statusCode(201).extract().response();
        assertEquals((String) first.path("categories[0].id"), second.path("categories[0].id"));
        assertEquals("substance", second.path("categories[0].canonicalName"));
        assertEquals("That which exists in itself", second.path("categories[0].description"));
        assertEquals("PRIVATE", second.path("visibility"));
    }

    @Test
    void fineGrainedChangesBumpTheVersion() {
        String carol = TestJwt.user("carol-parts");
        String id = Concepts.createId(carol, Concepts.hegel("Parts", "PRIVATE"));
        String base = "/api/concepts/" + id;

        Response added = given().auth().oauth2(carol).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Map.of("name", "Dasein", "weight", 0.4, "x", 50, "y", 300))
                .when().post(base + "/categories");
        added.then().statusCode(201).header("ETag", "\"2\"").header("Location", matchesPattern(".*/categories/[0-9a-f-]{36}$"))
                .body("name", equalTo("Dasein")).body("weight", equalTo(0.4f));
        String daseinId = added.path("id");
        given().auth().oauth2(carol).contentType(ContentType.JSON).body(Map.of("name", "DASEIN"))
                .when().post(base + "/categories").then()
                .statusCode(409).contentType("application/problem+json");

        given().auth().oauth2(carol).contentType(ContentType.JSON).body(Map.of("x", 75))
                .when().put(base + "/categories/" + daseinId).then()
                .statusCode(200).header("ETag", "\"3\"").body("x", equalTo(75.0f)).body("weight", equalTo(0.4f));

        Response relation = given().auth().oauth2(carol).contentType(ContentType.JSON)
                .body(Map.of("from", "Dasein", "to", "Becoming", "type", "GROUNDS", "rationale", "Determinate being is the result of becoming"))
                .when().post(base + "/relations");
        relation.then().statusCode(201).header("ETag", "\"4\"").body("from", equalTo("Dasein")).body("type", equalTo("GROUNDS"));
        given().auth().oauth2(carol).contentType(ContentType.JSON)
                .body(Map.of("from", "Dasein", "to", "Becoming", "type", "GROUNDS"))
                .when().post(base + "/relations").then().statusCode(409);
        given().auth().oauth2(carol).when().get(relation.header("Location")).then()
                .statusCode(200).body("to", equalTo("Becoming"));

        // removing a category removes the relations touching it
        given().auth().oauth2(carol).header("If-Match", "\"3\"").when().delete(base + "/categories/" + daseinId)
                .then().statusCode(412);
        given().auth().oauth2(carol).when().delete(base + "/categories/" + daseinId)
                .then().statusCode(204).header("ETag", "\"5\"");
        given().auth().oauth2(carol).when().get(base).then().statusCode(200)
                .body("version", equalTo(5)).body("categories", hasSize(3)).body("relations", hasSize(2));
        given().auth().oauth2(carol).when().get(relation.header("Location")).then().statusCode(404);

        String negates = given().auth().oauth2(carol).when().get(base + "/relations")
                .then().statusCode(200).extract().path("find { it.type == 'NEGATES' }.id");
        given().auth().oauth2(carol).when().delete(base + "/relations/" + negates).then().statusCode(204);
        given().auth().oauth2(carol).when().delete(base + "/relations/" + negates).then().statusCode(404);
    }

    @Test
    void onlyTheOwnerOrAnAdminChangesAConcept() {
        String owner = TestJwt.user("dora-owner");
        String other = TestJwt.user("eve-other");
        String privateId = Concepts.createId(owner, Concepts.hegel("Dora's notes", "PRIVATE"));
        String publicId = Concepts.createId(owner, Concepts.hegel("Dora's essay", "PUBLIC"));

        given().auth().oauth2(other).when().get("/api/concepts/" + privateId).then().statusCode(404);
        given().auth().oauth2(other).when().get("/api/concepts/" + privateId + "/categories").then().statusCode(404);
        given().auth().oauth2(other).when().delete("/api/concepts/" + privateId).then().statusCode(404);
        given().auth().oauth2(other).when().get("/api/concepts/" + publicId).then().statusCode(200);

        String before = database.fingerprint();
        given().auth().oauth2(other).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(Concepts.hegel("Hijacked", "PUBLIC")).when().put("/api/concepts/" + publicId)
                .then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(other).when().delete("/api/concepts/" + publicId).then().statusCode(403);
        given().auth().oauth2(other).contentType(ContentType.JSON).body(Map.of("name", "Graffiti"))
                .when().post("/api/concepts/" + publicId + "/categories").then().statusCode(403);
        assertEquals(before, database.fingerprint());

        String admin = TestJwt.admin("root");
        given().auth().oauth2(admin).when().get("/api/concepts/" + privateId).then().statusCode(200);
        given().auth().oauth2(admin).when().delete("/api/concepts/" + privateId).then().statusCode(204);
        assertNotEquals(before, database.fingerprint());
    }

    @Test
    void listingIsFilteredPagedSortedAndRespectsVisibility() {
        String frank = TestJwt.user("frank-list");
        String gina = TestJwt.user("gina-list");
        for (String name : List.of("Alpha", "beta", "Gamma")) {
            Map<String, Object> body = new HashMap<>(Concepts.hegel(name, "PUBLIC"));
            body.put("tradition", "Listing Tradition");
            Concepts.createId(frank, body);
        }
        Map<String, Object> hidden = new HashMap<>(Concepts.hegel("Delta hidden", "PRIVATE"));
        hidden.put("tradition", "Listing Tradition");
        Concepts.createId(frank, hidden);

        given().auth().oauth2(gina).queryParam("tradition", "listing tradition").queryParam("sort", "name")
                .when().get("/api/concepts").then().statusCode(200)
                .body("total", equalTo(3)).body("items.name", org.hamcrest.Matchers.contains("Alpha", "beta", "Gamma"));
        given().auth().oauth2(frank).queryParam("tradition", "Listing Tradition").queryParam("sort", "-name")
                .queryParam("size", 2).queryParam("page", 1)
                .when().get("/api/concepts").then().statusCode(200)
                .body("total", equalTo(4)).body("totalPages", equalTo(2)).body("page", equalTo(1))
                .body("items.name", org.hamcrest.Matchers.contains("beta", "Alpha"))
                .body("items[0].categories", nullValue());
        given().auth().oauth2(gina).queryParam("owner", "frank-list").queryParam("q", "GAM")
                .when().get("/api/concepts").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].name", equalTo("Gamma"));
        given().auth().oauth2(gina).queryParam("q", "100%_sure")
                .when().get("/api/concepts").then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void relationTypesAreTheControlledVocabulary() {
        given().auth().oauth2(TestJwt.user("reader")).when().get("/api/relation-types").then().statusCode(200)
                .body("code", org.hamcrest.Matchers.hasItems("IMPLIES", "PRESUPPOSES", "NEGATES", "CONTRADICTS",
                        "SUBLATES", "GROUNDS", "ANALOGOUS_TO", "PART_OF"))
                .body("[0].description", notNullValue());
    }

    private static long lsn(String token) {
        String[] parts = token.split("/");
        return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
    }
}
