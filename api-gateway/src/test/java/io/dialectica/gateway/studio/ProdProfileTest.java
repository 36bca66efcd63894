package io.dialectica.gateway.studio;

import io.dialectica.gateway.BackendsTestResource;
import io.dialectica.testsupport.JwtTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * The gateway as deployed (profile prod, the shipped application.properties): no dev-token endpoint at all, and the
 * studio asks for a token from the identity provider instead.
 */
@QuarkusTest
@TestProfile(ProdProfileTest.Prod.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class ProdProfileTest {

    public static class Prod implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }
    }

    @Test
    void theProdProfileHasNoDevTokenEndpoint() {
        for (String body : new String[] {"{\"user\": \"alice\"}", "{\"user\": \"admin\"}"}) {
            given().contentType("application/json").body(body).when().post("/auth/dev-token").then().statusCode(404)
                    .contentType(startsWith("application/problem+json"))
                    .body("type", equalTo("urn:dialectica:problem:not-found"));
        }
        given().when().get("/auth/dev-token").then().statusCode(404);
        given().when().get("/auth/config").then().statusCode(200).body("devTokens", equalTo(false));
    }

    @Test
    void theStudioIsServedAndOffersTheTokenSignInInstead() {
        given().when().get("/").then().statusCode(200).contentType(startsWith("text/html"))
                .body(containsString("id=\"token-sign-in\""));
    }
}
