package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.UnaryOperator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Every /api route needs a valid token; /q/* never does. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class AuthenticationTest {

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        backend.stubFor(any(urlPathMatching("/api/.*")).willReturn(aResponse().withStatus(200).withBody("[]")));
    }

    @Test
    void refusesEveryRequestWithoutAValidToken() {
        Map<String, UnaryOperator<RequestSpecification>> callers = Map.of(
                "no token", r -> r,
                "expired", r -> r.auth().oauth2(TestJwt.expired("mallory")),
                "signed by an unknown key", r -> r.auth().oauth2(TestJwt.forged("mallory")),
                "garbage", r -> r.header("Authorization", "Bearer not.a.jwt"),
                "not even a JWT shape", r -> r.header("Authorization", "Bearer %%%"),
                "empty bearer", r -> r.header("Authorization", "Bearer "),
                "basic credentials", r -> r.header("Authorization", "Basic YWxpY2U6c2VjcmV0"));
        callers.forEach((who, caller) -> {
            for (String method : new String[] { "GET", "POST", "DELETE" }) {
                try {
                caller.apply(given().contentType("application/json").body("{}"))
                        .when().request(method, "/api/concepts")
                        .then().statusCode(401)
                        .contentType(startsWith("application/problem+json"))
                        .header("WWW-Authenticate", startsWith("Bearer"))
                        .body("status", equalTo(401))
                        .body("type", equalTo("urn:dialectica:problem:unauthorized"))
                        .body("title", equalTo("Unauthorized"))
                        .body("instance", equalTo("/api/concepts"));
                } catch (AssertionError e) {
                    throw new AssertionError(who + ", " + method + ": " + e.getMessage(), e);
                }
            }
        });
        // an unknown route is not revealed to an anonymous caller either
        given().when().get("/api/nowhere").then().statusCode(401);
        backend.verify(0, anyRequestedFor(urlPathMatching("/api/.*")));
    }

    @Test
    void aValidTokenPassesAndIsForwarded() {
        String token = TestJwt.admin("admin-auth-test");
        given().auth().oauth2(token).when().get("/api/relation-types").then().statusCode(200);
        backend.verify(1, anyRequestedFor(urlPathMatching("/api/relation-types"))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + token)));
    }

    @Test
    void publicEndpointsNeedNoToken() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200);
        given().when().get("/q/swagger-ui/").then().statusCode(200);
        // and a bad token on them is simply not looked at
        given().header("Authorization", "Bearer not.a.jwt").when().get("/q/health/live").then().statusCode(200);
    }
}
