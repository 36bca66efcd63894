package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Backends that are down, slow or failing: always a quick problem document with the right status,
 * never a hang and never a 500 of the gateway's own. Each case uses its own test backend (see
 * {@link BackendsTestResource}) so that the breakers of the others stay closed.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class BackendFailureTest {

    @InjectWireMock
    WireMockServer backend;

    String token;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        token = TestJwt.user("failures-" + UUID.randomUUID());
    }

    @Test
    void aBackendThatIsDownIsA503() {
        given().auth().oauth2(token).when().get("/api/test/down/anything")
                .then().statusCode(503)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(503))
                .body("type", equalTo("urn:dialectica:problem:backend-unavailable"))
                .body("detail", containsString("down"))
                .body("instance", equalTo("/api/test/down/anything"));
    }

    @Test
    void aBackendThatDoesNotAnswerInTimeIsA504() {
        backend.stubFor(get(urlEqualTo("/api/test/slow/sleepy")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        given().auth().oauth2(token).when().get("/api/test/slow/sleepy")
                .then().statusCode(504)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(504))
                .body("type", equalTo("urn:dialectica:problem:backend-timeout"));
    }

    @Test
    void aBackendThatTricklesPastTheOverallTimeoutIsA504() {
        // every chunk arrives well within the read timeout, but the whole answer takes longer than the ceiling
        backend.stubFor(get(urlEqualTo("/api/test/trickle/drip")).willReturn(aResponse().withStatus(200)
                .withBody("x".repeat(60)).withChunkedDribbleDelay(6, 3000)));
        given().auth().oauth2(token).when().get("/api/test/trickle/drip")
                .then().statusCode(504)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:dialectica:problem:backend-timeout"));
    }

    @Test
    void aConnectionDroppedMidAnswerIsA502() {
        backend.stubFor(get(urlEqualTo("/api/test/slow/reset")).willReturn(aResponse()
                .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
        given().auth().oauth2(token).when().get("/api/test/slow/reset")
                .then().statusCode(502)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:dialectica:problem:bad-gateway"));
    }

    @Test
    void theBreakerOpensAfterFailuresAndThenSparesTheBackend() {
        backend.stubFor(get(urlEqualTo("/api/test/flaky/boom")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/problem+json").withBody("{\"status\":500}")));
        // the backend's own 5xx answers are relayed as they are, and counted as failures
        for (int i = 0; i < 4; i++) {
            given().auth().oauth2(token).when().get("/api/test/flaky/boom")
                    .then().statusCode(500).body(equalTo("{\"status\":500}"));
        }
        // 4 calls at 100 % failures: open. The gateway answers for the backend, which is not called.
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(token).when().get("/api/test/flaky/boom")
                    .then().statusCode(503)
                    .contentType(startsWith("application/problem+json"))
                    .header("Retry-After", "60")
                    .body("type", equalTo("urn:dialectica:problem:backend-unavailable"));
        }
        backend.verify(4, getRequestedFor(urlEqualTo("/api/test/flaky/boom")));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'gateway backends (informational)' }.data.flaky", containsString("OPEN"));
        // other backends are not affected
        backend.stubFor(get(urlEqualTo("/api/concepts/fine")).willReturn(aResponse().withStatus(200)));
        given().auth().oauth2(token).when().get("/api/concepts/fine").then().statusCode(200);
    }
}
