package io.dialectica.concept.rest;

import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Export and import through the REST layer, on the real database: headers, visibility, the create path, refusals. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class ConceptTransferTest {

    @Inject
    Database database;

    @Test
    void exportAsAttachmentWithTheConceptsETag() {
        String alice = TestJwt.user("alice-export");
        String id = Concepts.createId(alice, Concepts.hegel("Being, Nothing, Becoming", "PRIVATE"));

        given().auth().oauth2(alice).when().get("/api/concepts/" + id + "/export?format=canvas").then()
                .statusCode(200).contentType(startsWith("application/json"))
                .header("ETag", "\"1\"")
                .header("Content-Disposition", "attachment; filename=\"Being_ Nothing_ Becoming.canvas\"; "
                        + "filename*=UTF-8''Being%2C%20Nothing%2C%20Becoming.canvas")
                .body("nodes[0].id", equalTo(id)).body("nodes[0].label", equalTo("Being, Nothing, Becoming"))
                .body("edges", hasSize(2));
        // Accept alone selects GraphML, the one format with a media type of its own
        given().auth().oauth2(alice).accept("application/graphml+xml").when().get("/api/concepts/" + id + "/export").then()
                .statusCode(200).contentType(startsWith("application/graphml+xml"))
                .header("Content-Disposition", containsString(".graphml\""))
                .body(containsString("<graph id=\"" + id + "\" edgedefault=\"directed\">"));
        given().auth().oauth2(alice).header("If-None-Match", "\"1\"").when()
                .get("/api/concepts/" + id + "/export?format=graphml").then().statusCode(304);
        given().auth().oauth2(alice).when().get("/api/concepts/" + id + "/export").then()
                .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("format"));
        given().auth().oauth2(alice).when().get("/api/concepts/" + id + "/export?format=pdf").then()
                .statusCode(400).body("errors[0].message", startsWith("unknown format 'pdf'"));

        // a PRIVATE concept does not exist for anyone else, in any format
        given().auth().oauth2(TestJwt.user("bob-export")).when().get("/api/concepts/" + id + "/export?format=canvas").then()
                .statusCode(404).contentType("application/problem+json");
        String open = Concepts.createId(alice, Concepts.hegel("Open triad", "PUBLIC"));
        given().auth().oauth2(TestJwt.user("bob-export")).when().get("/api/concepts/" + open + "/export?format=graphml").then()
                .statusCode(200);
    }

    /** Export, import: the same concept, owned by the importer, through the normal create (201, Location, token). */
    @Test
    void roundTripThroughTheApi() {
        String alice = TestJwt.user("alice-roundtrip");
        String id = Concepts.createId(alice, Concepts.hegel("Round trip", "PUBLIC"));
        JsonPath original = given().auth().oauth2(alice).get("/api/concepts/" + id).then().statusCode(200).extract().jsonPath();

        for (String format : List.of("graphml", "canvas", "argdown", "aif")) {
            String file = given().auth().oauth2(alice).get("/api/concepts/" + id + "/export?format=" + format)
                    .then().statusCode(200).extract().asString();
            String bob = TestJwt.user("bob-roundtrip");
            Response created = given().auth().oauth2(bob).contentType(format.equals("graphml") ? "application/graphml+xml" : "application/json")
                    .body(file).when().post("/api/concepts/import?format=" + format);
            created.then().statusCode(201)
                    .header("Location", matchesPattern(".*/api/concepts/[0-9a-f-]{36}$"))
                    .header("ETag", "\"1\"")
                    .header("X-Consistency-Token", matchesPattern("[0-9A-F]+/[0-9A-F]+"))
                    .body("owner", equalTo("bob-roundtrip"))
                    .body("visibility", equalTo("PRIVATE"));
            JsonPath copy = given().auth().oauth2(bob).get(created.header("Location")).then().statusCode(200).extract().jsonPath();
            assertEquals(original.getString("name"), copy.getString("name"));
            assertEquals(original.getString("description"), copy.getString("description"));
            // every format but JSON Canvas carries the tradition (docs/formats.md)
            assertEquals(format.equals("canvas") ? null : original.getString("tradition"), copy.getString("tradition"));
            assertEquals(strip(original.getList("categories"), "id"), strip(copy.getList("categories"), "id"), format);
            assertEquals(strip(original.getList("relations"), "id", "fromCategoryId", "toCategoryId"),
                    strip(copy.getList("relations"), "id", "fromCategoryId", "toCategoryId"), format);
        }
    }

    @Test
    void dryRunAnswersWhatWouldBeCreatedAndWritesNothing() {
        String alice = TestJwt.user("alice-dryrun");
        String before = database.fingerprint();
        given().auth().oauth2(alice).contentType("application/json").body(resource("obsidian-hegel.canvas"))
                .when().post("/api/concepts/import?format=canvas&dryRun=true").then()
                .statusCode(200)
                .body("concept.name", equalTo("Hegel: Being, Nothing, Becoming"))
                .body("concept.categories.name", equalTo(List.of("Being", "Nothing", "Becoming")))
                .body("concept.relations.type", equalTo(List.of("NEGATES", "SUBLATES", "IMPLIES")))
                .body("unmapped", hasSize(3))
                .body("unmapped[0].at", equalTo("node 'e8d1b3a6c2f04a91'"));
        assertEquals(before, database.fingerprint());
    }

    @Test
    void argdownAndAifExportWithTheirTypes() {
        String alice = TestJwt.user("alice-argdown");
        String id = Concepts.createId(alice, Concepts.hegel("Being, Nothing, Becoming", "PRIVATE"));
        given().auth().oauth2(alice).when().get("/api/concepts/" + id + "/export?format=argdown").then()
                .statusCode(200).contentType(startsWith("text/plain"))
                .header("Content-Disposition", containsString("filename=\"Being_ Nothing_ Becoming.argdown\""))
                .body(containsString("[Being]: Pure indeterminate immediacy {"))
                .body(containsString("  -> [Nothing]"));
        given().auth().oauth2(alice).when().get("/api/concepts/" + id + "/export?format=aif").then()
                .statusCode(200).contentType(startsWith("application/json"))
                .header("Content-Disposition", containsString(".json\""))
                .body("nodes.type", equalTo(List.of("I", "I", "I", "CA", "RA")));
    }

    /** The sample files as the tools write them import; name= names the concept. */
    @Test
    void samplesImport() {
        String alice = TestJwt.user("alice-samples");
        given().auth().oauth2(alice).contentType("application/graphml+xml").body(resource("yed-hegel.graphml"))
                .queryParam("name", "Hegel from yEd").when().post("/api/concepts/import").then()
                .statusCode(201).body("name", equalTo("Hegel from yEd"))
                .body("categories.name", equalTo(List.of("Becoming", "Being", "Nothing")))
                .body("relations", hasSize(3));
        given().auth().oauth2(alice).contentType("application/json").body(resource("jsoncanvas-sample.canvas"))
                .when().post("/api/concepts/import?format=canvas").then()
                .statusCode(201).body("name", equalTo("Imported canvas")).body("categories", hasSize(4));
        // a dry run: written, its descriptions would be the shared categories' (Being, Nothing, Becoming) for every
        // later test that creates them (the first description a category gets stays)
        given().auth().oauth2(alice).contentType("text/plain").body(resource("hegel.argdown"))
                .when().post("/api/concepts/import?format=argdown&dryRun=true").then()
                .statusCode(200).body("concept.name", equalTo("Being, Nothing, Becoming")).body("concept.relations", hasSize(4));
        given().auth().oauth2(alice).contentType("application/json").body(resource("aifdb-style.json"))
                .when().post("/api/concepts/import?format=aif").then()
                .statusCode(201).body("categories", hasSize(3)).body("relations.type", equalTo(List.of("IMPLIES", "NEGATES")));
    }

    /** Every refused file: 422 saying where and what, and not a row written. */
    @Test
    void badFilesAreRefusedWholeAndSayWhere() {
        String alice = TestJwt.user("alice-badfiles");
        String before = database.fingerprint();
        refused(alice, "graphml", resource("xxe.graphml"), "invalid-file", "line 4, column 4", "a DOCTYPE is refused");
        refused(alice, "graphml", resource("billion-laughs.graphml"), "invalid-file", "line 13, column 4", "a DOCTYPE is refused");
        refused(alice, "canvas", "{\"nodes\": [".getBytes(), "invalid-file", "line 1, column 12", "not JSON");
        refused(alice, "canvas", "{\"nodes\": [{\"id\": \"n1\", \"type\": \"text\", \"text\": \"A\", \"x\": 2000000, \"y\": 0, \"width\": 250, \"height\": 60}]}".getBytes(),
                "validation", "categories[0].x", "node 'n1': must be less than or equal to 1000000");
        refused(alice, "graphml", ("<graphml><key id='w' for='node' attr.name='weight' attr.type='double'/><graph id='G'>"
                + "<node id='n7'><data key='w'>1.5</data></node></graph></graphml>").getBytes(),
                "validation", "categories[0].weight", "node 'n7': must be less than or equal to 1");
        refused(alice, "canvas", new byte[0], "invalid-file", "body", "the file is empty");
        refused(alice, "argdown", "===\ntitle: [unclosed\n===\n".getBytes(), "invalid-file", "line 2", "the front matter is not YAML");
        refused(alice, "aif", "{\"nodes\": [{\"nodeID\": 1, \"type\": \"I\", \"text\": \"A\"}], \"dialectica\": {\"categories\": {\"1\": {\"weight\": 3}}}}".getBytes(),
                "validation", "categories[0].weight", "node '1': must be less than or equal to 1");
        assertEquals(before, database.fingerprint());

        given().auth().oauth2(alice).contentType("application/json").body(new byte[1024 * 1024 + 1])
                .when().post("/api/concepts/import?format=canvas").then()
                .statusCode(413).contentType("application/problem+json");
        given().auth().oauth2(alice).contentType("text/plain").body("x")
                .when().post("/api/concepts/import").then()
                .statusCode(400).body("errors[0].field", equalTo("format"));
        given().auth().oauth2(alice).contentType("application/json").body("{}")
                .when().post("/api/concepts/import?format=canvas&dryRun=maybe").then()
                .statusCode(400).body("errors[0].field", equalTo("dryRun"));
        assertEquals(before, database.fingerprint());
    }

    private static void refused(String token, String format, byte[] file, String slug, String field, String message) {
        given().auth().oauth2(token).contentType("application/octet-stream").body(file)
                .when().post("/api/concepts/import?format=" + format).then()
                .statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:dialectica:problem:" + slug))
                .body("errors[0].field", equalTo(field))
                .body("errors[0].message", startsWith(message));
    }

    private static List<Map<String, Object>> strip(List<Map<String, Object>> items, String... keys) {
        return items.stream().map(item -> {
            Map<String, Object> copy = new java.util.TreeMap<>(item);
            for (String key : keys) {
                copy.remove(key);
            }
            return (Map<String, Object>) copy;
        }).toList();
    }

    static byte[] resource(String name) {
        try (InputStream in = ConceptTransferTest.class.getResourceAsStream("/formats/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
