package io.dialectica.gateway.studio;

import io.dialectica.gateway.BackendsTestResource;
import io.dialectica.testsupport.JwtTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The studio's files at / beside the HTTP layer's problem answers for everything else. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class StudioAssetsTest {

    @Test
    void theStudioPageAndItsModulesAreServedWithoutAToken() {
        String page = given().when().get("/").then().statusCode(200).contentType(startsWith("text/html"))
                .header("X-Request-Id", org.hamcrest.Matchers.notNullValue())
                .body(containsString("<title>Dialectica Studio</title>")).extract().asString();
        for (String module : new String[] {"/studio/app.js", "/studio/api.js", "/studio/canvas.js"}) {
            given().when().get(module).then().statusCode(200).contentType(startsWith("text/javascript"));
        }
        given().when().get("/studio/studio.css").then().statusCode(200).contentType(startsWith("text/css"));
        // the import map's Cytoscape.js: copied from the WebJar by the build
        Matcher cytoscape = Pattern.compile("\"cytoscape\": \"(/studio/vendor/[^\"]+\\.mjs)\"").matcher(page);
        assertTrue(cytoscape.find(), "an import map entry for cytoscape in " + page);
        given().when().get(cytoscape.group(1)).then().statusCode(200).contentType(startsWith("text/javascript"))
                .body(containsString("cytoscape"));
    }

    @Test
    void browsersRevalidateAndGetA304WhenNothingChanged() {
        String etag = given().when().get("/studio/app.js").then().statusCode(200)
                .header("Cache-Control", "no-cache").extract().header("ETag");
        given().header("If-None-Match", etag).when().get("/studio/app.js").then().statusCode(304);
        given().when().head("/").then().statusCode(200).contentType(startsWith("text/html"));
    }

    @Test
    void whatTheStudioDoesNotServeIsStillAProblem() {
        for (String path : new String[] {"/studio/nope.js", "/studio/vendor/LICENSE", "/studio/../application.properties",
                "/studio/%2e%2e/application.properties", "/index.html", "/nope", "/webjars/cytoscape/3.33.1/dist/cytoscape.min.js"}) {
            given().header("X-Request-Id", "studio-404").when().get(path).then().statusCode(404)
                    .contentType(startsWith("application/problem+json"))
                    .body("type", equalTo("urn:dialectica:problem:not-found"))
                    .body("requestId", equalTo("studio-404"));
        }
        // any other method: 404 where nothing is served, 405 on the studio's paths
        given().when().post("/nope").then().statusCode(404).body("type", equalTo("urn:dialectica:problem:not-found"));
        given().when().delete("/studio/app.js").then().statusCode(405).contentType(startsWith("application/problem+json"));
        // / takes GET and HEAD only
        given().when().post("/").then().statusCode(405).contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:dialectica:problem:http-405"));
    }

    @Test
    void withoutDevTokensTheConfigSaysSo() {
        // the test profile is a development profile, but the endpoint is on only where configured (DevTokenTest)
        given().when().get("/auth/config").then().statusCode(200).body("devTokens", equalTo(false));
        given().contentType("application/json").body("{\"user\": \"alice\"}").when().post("/auth/dev-token").then()
                .statusCode(404).contentType(startsWith("application/problem+json"));
    }
}
