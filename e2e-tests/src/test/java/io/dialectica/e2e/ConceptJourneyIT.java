package io.dialectica.e2e;

import io.dialectica.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A user's journey through the public API, through the gateway, against the real services. */
@ExtendWith(Stack.class)
class ConceptJourneyIT {

    private static Map<String, Object> fourCauses(String visibility) {
        return Map.of(
                "name", "The four causes",
                "description", "Aristotle's four answers to the question why: what, from what, by what, for what.",
                "tradition", "Aristotelian",
                "visibility", visibility,
                "categories", List.of(
                        Map.of("name", "Material cause", "weight", 0.7),
                        Map.of("name", "Formal cause", "weight", 0.8),
                        Map.of("name", "Efficient cause", "weight", 0.8),
                        Map.of("name", "Final cause", "weight", 1.0)),
                "relations", List.of(
                        Map.of("from", "Final cause", "to", "Efficient cause", "type", "GROUNDS", "weight", 0.9,
                                "rationale", "The end is that for the sake of which the mover moves"),
                        Map.of("from", "Formal cause", "to", "Material cause", "type", "OPPOSES", "weight", 0.6)));
    }

    @Test
    void createReadUpdateWithIfMatchStaleUpdateDelete() {
        String alice = TestJwt.user("alice-journey");
        Response created = given().auth().oauth2(alice).contentType(ContentType.JSON).body(fourCauses("PRIVATE"))
                .header("X-Request-Id", "journey-create-1")
                .when().post("/api/concepts");
        created.then().statusCode(201)
                .header("ETag", "\"1\"")
                .header("X-Request-Id", "journey-create-1")
                .header("Location", startsWith(Stack.gateway().baseUrl() + "/api/concepts/"))
                .body("categories", hasSize(4)).body("relations", hasSize(2));
        String location = created.header("Location");

        Response read = given().auth().oauth2(alice).when().get(location);
        read.then().statusCode(200).header("ETag", "\"1\"").body("name", equalTo("The four causes"))
                .header("X-Request-Id", notNullValue());

        Map<String, Object> edited = new java.util.HashMap<>(read.as(Map.class));
        edited.put("name", "Aristotle's four causes");
        edited.put("visibility", "PUBLIC");
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("If-Match", read.header("ETag")).body(edited)
                .when().put(location).then().statusCode(200).header("ETag", "\"2\"")
                .body("name", equalTo("Aristotle's four causes"))
                .body("categories.name", containsInAnyOrder("Material cause", "Formal cause", "Efficient cause", "Final cause"));

        String before = Stack.fingerprint();
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("If-Match", "\"1\"").body(edited)
                .when().put(location).then().statusCode(412).contentType(startsWith("application/problem+json"));
        assertEquals(before, Stack.fingerprint());

        given().auth().oauth2(alice).header("If-Match", "\"2\"").when().delete(location).then().statusCode(204);
        given().auth().oauth2(alice).when().get(location).then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void othersCannotSeePrivateNorChangePublicConcepts() {
        String owner = TestJwt.user("owner-journey");
        String stranger = TestJwt.user("stranger-journey");
        String privateId = given().auth().oauth2(owner).contentType(ContentType.JSON).body(fourCauses("PRIVATE"))
                .when().post("/api/concepts").then().statusCode(201).extract().path("id");
        String publicId = given().auth().oauth2(owner).contentType(ContentType.JSON).body(fourCauses("PUBLIC"))
                .when().post("/api/concepts").then().statusCode(201).extract().path("id");

        given().auth().oauth2(stranger).when().get("/api/concepts/" + privateId).then().statusCode(404);
        given().auth().oauth2(stranger).queryParam("owner", "owner-journey").when().get("/api/concepts")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(publicId));
        given().auth().oauth2(stranger).when().get("/api/concepts/" + publicId).then().statusCode(200);

        String before = Stack.fingerprint();
        given().auth().oauth2(stranger).contentType(ContentType.JSON).header("If-Match", "\"1\"").body(fourCauses("PUBLIC"))
                .when().put("/api/concepts/" + publicId).then().statusCode(403);
        given().auth().oauth2(stranger).when().delete("/api/concepts/" + publicId).then().statusCode(403);
        given().auth().oauth2(stranger).when().delete("/api/concepts/" + privateId).then().statusCode(404);
        assertEquals(before, Stack.fingerprint());
    }

    @Test
    void noTokenIsRefusedAtTheGateway() {
        given().when().get("/api/concepts").then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().when().get("/api/relation-types").then().statusCode(401);
    }

    @Test
    void relationTypesAreRoutedToo() {
        given().auth().oauth2(TestJwt.user("reader-journey")).when().get("/api/relation-types").then().statusCode(200)
                .body("code", org.hamcrest.Matchers.hasItem("SUBLATES"));
    }
}
