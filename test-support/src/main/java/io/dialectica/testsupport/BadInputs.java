package io.dialectica.testsupport;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The table of bad requests against the concept API. Each must be refused with the right status and
 * an RFC 7807 body naming the offending field, and must leave the database exactly as it was. The
 * same table runs directly against concept-service and end to end through the gateway.
 */
public final class BadInputs {

    /** SQL giving a digest of every row of the concept tables: equal digests, unchanged data. */
    public static final String FINGERPRINT_SQL = """
            select concat_ws('|',
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from concepts t),
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from categories t),
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from concept_categories t),
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from concept_relations t))
            """;

    /** Who sends the request. */
    public enum As { ALICE, NOBODY, GARBAGE, EXPIRED, FORGED }

    /**
     * One bad request. {@code path} may name fixtures: {alice} (Alice's private concept),
     * {bobPublic}, {bobPrivate}, {being} (a category of Alice's concept), {missing} (a random UUID).
     */
    public record Case(String name, String method, String path, String contentType, String body, As as,
            String ifMatch, int status, String field) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** What the cases act on, created through the API before the table runs. */
    public record Fixtures(String alice, String bobPublic, String bobPrivate, String being) {

        String resolve(String path) {
            return path.replace("{alice}", alice).replace("{bobPublic}", bobPublic)
                    .replace("{bobPrivate}", bobPrivate).replace("{being}", being)
                    .replace("{missing}", UUID.randomUUID().toString());
        }
    }

    private static final String JSON = "application/json";
    private static final String VALID = """
            {"name":"Valid","categories":[{"name":"A"},{"name":"B"}],"relations":[{"from":"A","to":"B","type":"IMPLIES"}]}""";

    private BadInputs() {
    }

    public static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // unreadable bodies: 400
        cases.add(post("malformed JSON", "{\"name\": ", 400, "body"));
        cases.add(post("array instead of object", "[]", 400, "body"));
        cases.add(post("empty body", "", 400, "body"));
        cases.add(post("trailing garbage after the object", "{\"name\":\"x\"} {", 400, "body"));
        cases.add(post("name is a number", "{\"name\":42}", 400, "name"));
        cases.add(post("unknown visibility", "{\"name\":\"x\",\"visibility\":\"SECRET\"}", 400, "visibility"));
        cases.add(post("misspelt field", "{\"name\":\"x\",\"descripton\":\"typo\"}", 400, "descripton"));
        cases.add(post("categories is an object", "{\"name\":\"x\",\"categories\":{\"name\":\"A\"}}", 400, "categories"));
        // invalid content: 422
        // a number field takes a JSON number (or null: absent, the default) and nothing else, blanks included
        cases.add(post("weight is a string", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"weight\":\"0.5\"}]}", 422, "categories[0].weight"));
        cases.add(post("weight is a blank string", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"weight\":\" \"}]}", 422, "categories[0].weight"));
        cases.add(post("weight is a NUL string", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"weight\":\"\\u0000\"}]}", 422, "categories[0].weight"));
        cases.add(post("weight is \"NaN\"", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"weight\":\"NaN\"}]}", 422, "categories[0].weight"));
        cases.add(post("x is a blank string", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"x\":\" \"}]}", 422, "categories[0].x"));
        cases.add(post("y is a boolean", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"y\":true}]}", 422, "categories[0].y"));
        cases.add(post("relation weight is a blank string", VALID.replace("\"IMPLIES\"}", "\"IMPLIES\",\"weight\":\" \"}"), 422, "relations[0].weight"));
        cases.add(new Case("membership weight is a NUL string", "PUT", "/api/concepts/{alice}/categories/{being}", JSON, "{\"weight\":\"\\u0000\"}", As.ALICE, null, 422, "weight"));
        // text is text: no lone UTF-16 surrogate, no NUL character
        cases.add(post("name with a lone surrogate", "{\"name\":\"Sein \\ud800\"}", 422, "name"));
        cases.add(post("category name with a lone low surrogate", "{\"name\":\"x\",\"categories\":[{\"name\":\"\\udc00\"}]}", 422, "categories[0].name"));
        cases.add(post("description with a NUL character", "{\"name\":\"x\",\"description\":\"a\\u0000b\"}", 422, "description"));
        cases.add(post("name missing", "{}", 422, "name"));
        cases.add(post("name blank", "{\"name\":\"   \"}", 422, "name"));
        cases.add(post("name too long", "{\"name\":\"" + "n".repeat(201) + "\"}", 422, "name"));
        cases.add(post("description too long", "{\"name\":\"x\",\"description\":\"" + "d".repeat(20001) + "\"}", 422, "description"));
        cases.add(post("category weight above 1", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"weight\":1.5}]}", 422, "categories[0].weight"));
        cases.add(post("category weight below 0", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"weight\":-0.1}]}", 422, "categories[0].weight"));
        cases.add(post("category off the canvas", "{\"name\":\"x\",\"categories\":[{\"name\":\"A\",\"x\":1e7}]}", 422, "categories[0].x"));
        cases.add(post("category without name", "{\"name\":\"x\",\"categories\":[{\"weight\":0.5}]}", 422, "categories[0].name"));
        cases.add(post("null category", "{\"name\":\"x\",\"categories\":[null]}", 422, "categories[0]"));
        cases.add(post("duplicate category by canonical name", "{\"name\":\"x\",\"categories\":[{\"name\":\"Being\"},{\"name\":\" BEING \"}]}", 422, "categories[1].name"));
        cases.add(post("relation weight above 1", VALID.replace("\"IMPLIES\"}", "\"IMPLIES\",\"weight\":2}"), 422, "relations[0].weight"));
        cases.add(post("unknown relation type", VALID.replace("IMPLIES", "LOVES"), 422, "relations[0].type"));
        cases.add(post("relation to a category not in the concept", VALID.replace("\"to\":\"B\"", "\"to\":\"Z\""), 422, "relations[0].to"));
        cases.add(post("relation from a category to itself", VALID.replace("\"to\":\"B\"", "\"to\":\"a\""), 422, "relations[0].to"));
        cases.add(post("duplicate relation", VALID.replace("]}", ",{\"from\":\"A\",\"to\":\"B\",\"type\":\"implies\"}]}"), 422, "relations[1]"));
        // media types and size
        cases.add(new Case("text/plain body", "POST", "/api/concepts", "text/plain", "name=x", As.ALICE, null, 415, null));
        cases.add(new Case("XML body", "POST", "/api/concepts", "application/xml", "<concept/>", As.ALICE, null, 415, null));
        cases.add(post("body over 1 MiB", "{\"name\":\"x\",\"description\":\"" + "d".repeat(1_100_000) + "\"}", 413, null));
        // identifiers
        cases.add(new Case("invalid UUID on read", "GET", "/api/concepts/not-a-uuid", null, null, As.ALICE, null, 400, "id"));
        cases.add(new Case("invalid UUID on delete", "DELETE", "/api/concepts/1234", null, null, As.ALICE, null, 400, "id"));
        cases.add(new Case("invalid category id", "PUT", "/api/concepts/{alice}/categories/xyz", JSON, "{\"weight\":0.5}", As.ALICE, null, 400, "categoryId"));
        cases.add(new Case("unknown concept", "GET", "/api/concepts/{missing}", null, null, As.ALICE, null, 404, null));
        cases.add(new Case("someone else's private concept", "DELETE", "/api/concepts/{bobPrivate}", null, null, As.ALICE, null, 404, null));
        // authentication
        cases.add(new Case("no token", "POST", "/api/concepts", JSON, VALID, As.NOBODY, null, 401, null));
        cases.add(new Case("garbage token", "GET", "/api/concepts/{alice}", null, null, As.GARBAGE, null, 401, null));
        cases.add(new Case("expired token", "POST", "/api/concepts", JSON, VALID, As.EXPIRED, null, 401, null));
        cases.add(new Case("token signed by an unknown key", "POST", "/api/concepts", JSON, VALID, As.FORGED, null, 401, null));
        // ownership and preconditions
        cases.add(new Case("replace someone else's public concept", "PUT", "/api/concepts/{bobPublic}", JSON, VALID, As.ALICE, "\"1\"", 403, null));
        cases.add(new Case("replace without If-Match", "PUT", "/api/concepts/{alice}", JSON, VALID, As.ALICE, null, 428, "If-Match"));
        cases.add(new Case("replace with a stale If-Match", "PUT", "/api/concepts/{alice}", JSON, VALID, As.ALICE, "\"999\"", 412, "If-Match"));
        cases.add(new Case("add a category the concept already has", "POST", "/api/concepts/{alice}/categories", JSON, "{\"name\":\"being\"}", As.ALICE, null, 409, "name"));
        cases.add(new Case("membership weight out of range", "PUT", "/api/concepts/{alice}/categories/{being}", JSON, "{\"weight\":7}", As.ALICE, null, 422, "weight"));
        cases.add(new Case("fine-grained relation of unknown type", "POST", "/api/concepts/{alice}/relations", JSON, "{\"from\":\"Being\",\"to\":\"Nothing\",\"type\":\"HATES\"}", As.ALICE, null, 422, "type"));
        // listing parameters
        cases.add(new Case("negative page", "GET", "/api/concepts?page=-1", null, null, As.ALICE, null, 400, "page"));
        cases.add(new Case("page size too large", "GET", "/api/concepts?size=1000", null, null, As.ALICE, null, 400, "size"));
        cases.add(new Case("page is not a number", "GET", "/api/concepts?page=two", null, null, As.ALICE, null, 400, "page"));
        cases.add(new Case("unknown sort field", "GET", "/api/concepts?sort=colour", null, null, As.ALICE, null, 400, "sort"));
        return cases;
    }

    /** Creates the concepts the cases act on, through whatever base URI RestAssured points at. */
    public static Fixtures createFixtures() {
        String alice = TestJwt.user("alice-bad-inputs");
        String bob = TestJwt.user("bob-bad-inputs");
        Response aliceConcept = create(alice, "{\"name\":\"Alice's private triad\",\"visibility\":\"PRIVATE\","
                + "\"categories\":[{\"name\":\"Being\"},{\"name\":\"Nothing\"}],"
                + "\"relations\":[{\"from\":\"Being\",\"to\":\"Nothing\",\"type\":\"NEGATES\"}]}");
        String bobPublic = create(bob, "{\"name\":\"Bob's public essay\",\"visibility\":\"PUBLIC\"}").path("id");
        String bobPrivate = create(bob, "{\"name\":\"Bob's private notes\",\"visibility\":\"PRIVATE\"}").path("id");
        return new Fixtures(aliceConcept.path("id"), bobPublic, bobPrivate,
                aliceConcept.path("categories.find { it.name == 'Being' }.id"));
    }

    /** Sends one case and checks the refusal, and that {@code fingerprint} is the same before and after. */
    public static void check(Case c, Fixtures fixtures, Supplier<String> fingerprint) {
        String before = fingerprint.get();
        RequestSpecification request = given().redirects().follow(false);
        switch (c.as()) {
            case ALICE -> request.auth().oauth2(TestJwt.user("alice-bad-inputs"));
            case GARBAGE -> request.header("Authorization", "Bearer not.a.jwt");
            case EXPIRED -> request.auth().oauth2(TestJwt.expired("alice-bad-inputs"));
            case FORGED -> request.auth().oauth2(TestJwt.forged("alice-bad-inputs"));
            case NOBODY -> { }
        }
        if (c.contentType() != null) {
            request.contentType(c.contentType() + "; charset=UTF-8");
        }
        if (c.body() != null) {
            request.body(c.body());
        }
        if (c.ifMatch() != null) {
            request.header("If-Match", c.ifMatch());
        }
        var response = request.when().request(c.method(), fixtures.resolve(c.path())).then()
                .statusCode(c.status())
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(c.status()));
        if (c.field() != null) {
            response.body("errors.field", hasItem(c.field()));
        }
        if (c.status() == 401) {
            response.header("WWW-Authenticate", startsWith("Bearer"));
        }
        assertEquals(before, fingerprint.get(), c.name() + " changed the database");
    }

    private static Case post(String name, String body, int status, String field) {
        return new Case(name, "POST", "/api/concepts", JSON, body, As.ALICE, null, status, field);
    }

    private static Response create(String token, String body) {
        Response response = given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .when().post("/api/concepts");
        response.then().statusCode(201);
        return response;
    }
}
