package io.dialectica.concept.rest;

import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * Numbers are numbers and text is text. An absent or null optional number means "the default" (weight 0.5,
 * x and y 0 on create; "unchanged" on a membership update); anything else that is not a JSON number is a 422
 * naming the field, never a silent default. The refusals themselves are in the shared bad-input table
 * (test-support BadInputs, run by BadInputTest); here: what is stored when the input is accepted.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class NumbersAndTextTest {

    private static Response create(String token, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).when().post("/api/concepts");
    }

    @Test
    void anAbsentOrNullNumberIsTheDefault() {
        String token = TestJwt.user("numbers");
        create(token, """
                {"name": "Defaults",
                 "categories": [{"name": "Absent"}, {"name": "Null", "weight": null, "x": null, "y": null},
                                {"name": "Given", "weight": 0.25, "x": -3, "y": 7.5}],
                 "relations": [{"from": "Absent", "to": "Null", "type": "IMPLIES"},
                               {"from": "Null", "to": "Given", "type": "IMPLIES", "weight": null}]}""")
                .then().statusCode(201)
                .body("categories.find { it.name == 'Absent' }.weight", equalTo(0.5f))
                .body("categories.find { it.name == 'Absent' }.x", equalTo(0f))
                .body("categories.find { it.name == 'Null' }.weight", equalTo(0.5f))
                .body("categories.find { it.name == 'Null' }.y", equalTo(0f))
                .body("categories.find { it.name == 'Given' }.weight", equalTo(0.25f))
                .body("categories.find { it.name == 'Given' }.x", equalTo(-3f))
                .body("categories.find { it.name == 'Given' }.y", equalTo(7.5f))
                .body("relations.weight", equalTo(java.util.List.of(0.5f, 0.5f)));
    }

    @Test
    void aMembershipUpdateKeepsWhatIsAbsentOrNullAndRefusesWhatIsNoNumber() {
        String token = TestJwt.user("numbers");
        Response created = create(token, "{\"name\": \"Moves\", \"categories\": [{\"name\": \"Here\", \"weight\": 0.75, \"x\": 1, \"y\": 2}]}");
        created.then().statusCode(201);
        String id = created.path("id");
        String category = created.path("categories[0].id");
        String path = "/api/concepts/" + id + "/categories/" + category;
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"x\": 10, \"weight\": null}")
                .when().put(path).then().statusCode(200);
        given().auth().oauth2(token).when().get(path).then().statusCode(200)
                .body("weight", equalTo(0.75f)).body("x", equalTo(10f)).body("y", equalTo(2f));
        for (String bad : new String[] {"\" \"", "\"\\u0000\"", "\"10\"", "false", "\"Infinity\""}) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"y\": " + bad + "}")
                    .when().put(path).then().statusCode(422)
                    .contentType(startsWith("application/problem+json"))
                    .body("type", equalTo("urn:dialectica:problem:validation"))
                    .body("errors.field", hasItem("y"))
                    .body("errors.message", hasItem("must be a number"));
        }
        given().auth().oauth2(token).when().get(path).then().body("y", equalTo(2f)).body("weight", equalTo(0.75f));
    }

    @Test
    void aRelationWeightThatIsNoNumberIsRefusedByName() {
        String token = TestJwt.user("numbers");
        String id = create(token, "{\"name\": \"Rel\", \"categories\": [{\"name\": \"A\"}, {\"name\": \"B\"}]}").path("id");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"from\": \"A\", \"to\": \"B\", \"type\": \"IMPLIES\", \"weight\": \"\\u0000\"}")
                .when().post("/api/concepts/" + id + "/relations").then().statusCode(422)
                .body("errors.field", hasItem("weight")).body("errors.message", hasItem("must be a number"));
        given().auth().oauth2(token).when().get("/api/concepts/" + id + "/relations").then().statusCode(200)
                .body("size()", equalTo(0));
    }

    @Test
    void aBlankTraditionIsStoredAsAbsent() {
        String token = TestJwt.user("text");
        for (String blank : new String[] {"\"\"", "\"   \"", "\"\\t\\n\"", "null"}) {
            String id = create(token, "{\"name\": \"Traditionless\", \"tradition\": " + blank + "}")
                    .then().statusCode(201).body("tradition", nullValue()).extract().path("id");
            given().auth().oauth2(token).when().get("/api/concepts/" + id).then().body("tradition", nullValue());
        }
        create(token, "{\"name\": \"Traditional\", \"tradition\": \"  German Idealism \"}").then().statusCode(201)
                .body("tradition", equalTo("German Idealism"));
    }

    @Test
    void textWithALoneSurrogateIsRefusedAndAPairIsKept() {
        String token = TestJwt.user("text");
        create(token, "{\"name\": \"x\", \"tradition\": \"Zen \\udbff\"}").then().statusCode(422)
                .contentType(startsWith("application/problem+json"))
                .body("errors.field", hasItem("tradition"))
                .body("errors.message", hasItem("must not contain a lone UTF-16 surrogate"));
        create(token, "{\"name\": \"x\", \"relations\": [], \"categories\": [{\"name\": \"A\", \"description\": \"\\ude00 tail\"}]}")
                .then().statusCode(422).body("errors.field", hasItem("categories[0].description"));
        // a surrogate pair is one character (U+1F600) and is stored as it is
        create(token, "{\"name\": \"Sein \\ud83d\\ude00\"}").then().statusCode(201)
                .body("name", equalTo("Sein \uD83D\uDE00"));
    }
}
