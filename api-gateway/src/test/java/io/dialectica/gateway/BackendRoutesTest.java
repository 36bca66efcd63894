package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dialectica.gateway.proxy.BackendRegistry;
import io.dialectica.gateway.routing.RouteTable;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The routes of the configuration as shipped (application.properties), not a test table: which backend
 * each public path reaches, that the more specific thesis route wins over concept-service's
 * {@code /api/concepts/**}, and that the headers of read-your-writes and of jobs cross the gateway.
 * Every backend is the same WireMock under its own base path ({@link BackendsTestResource}).
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class BackendRoutesTest {

    @InjectWireMock
    WireMockServer backend;

    @Inject
    RouteTable routes;

    @Inject
    BackendRegistry backends;

    String token;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        token = TestJwt.user("routes-" + UUID.randomUUID());
    }

    @Test
    void eachPathReachesItsBackendAndTheMostSpecificPatternWins() {
        // highest priority, removed at the end: stubs of other tests must not answer here, nor this one there
        StubMapping everything = backend.stubFor(any(urlPathMatching("/.*")).atPriority(1).willReturn(aResponse().withStatus(200)));
        try {
            checkRoutes();
        } finally {
            backend.removeStub(everything);
        }
        assertEquals("theses", routes.match("/api/concepts/42/theses").orElseThrow().route());
        assertEquals("concepts", routes.match("/api/concepts/42").orElseThrow().route());
    }

    private void checkRoutes() {
        record Case(String method, String path, String expected) {
        }
        List<Case> cases = List.of(
                new Case("GET", "/api/graph/concepts/42/neighbours?depth=2", "/graph-service/api/graph/concepts/42/neighbours?depth=2"),
                new Case("GET", "/api/graph", "/graph-service/api/graph"),
                new Case("GET", "/api/search?q=being", "/search-service/api/search?q=being"),
                new Case("GET", "/api/search/suggest?prefix=be", "/search-service/api/search/suggest?prefix=be"),
                new Case("GET", "/api/jobs/7", "/thesis-service/api/jobs/7"),
                new Case("DELETE", "/api/jobs/7", "/thesis-service/api/jobs/7"),
                new Case("POST", "/api/syntheses", "/thesis-service/api/syntheses"),
                new Case("GET", "/api/syntheses/9", "/thesis-service/api/syntheses/9"),
                // /api/concepts/{id}/theses/** (3 literal segments) beats /api/concepts/** (2)
                new Case("POST", "/api/concepts/42/theses", "/thesis-service/api/concepts/42/theses"),
                new Case("GET", "/api/concepts/42/theses?page=2", "/thesis-service/api/concepts/42/theses?page=2"),
                new Case("GET", "/api/concepts/42/theses/3", "/thesis-service/api/concepts/42/theses/3"),
                // ... and nothing else of concept-service's
                new Case("GET", "/api/concepts/42", "/api/concepts/42"),
                new Case("GET", "/api/concepts/theses", "/api/concepts/theses"),
                new Case("POST", "/api/concepts/42/categories", "/api/concepts/42/categories"),
                new Case("GET", "/api/concepts/42/thesesX", "/api/concepts/42/thesesX"),
                new Case("GET", "/api/relation-types", "/api/relation-types"));
        for (Case c : cases) {
            backend.resetRequests();
            given().auth().oauth2(token).urlEncodingEnabled(false).when().request(c.method(), c.path())
                    .then().statusCode(200);
            LoggedRequest seen = ForwardingTest.only(backend.findAll(anyRequestedFor(urlPathMatching("/.*"))));
            assertEquals(c.expected(), seen.getUrl(), c.method() + " " + c.path());
            assertEquals(c.method(), seen.getMethod().value(), c.path());
        }
    }

    @Test
    void consistencyTokensAndJobHeadersCrossTheGateway() {
        backend.stubFor(get(urlPathEqualTo("/graph-service/api/graph/concepts/42"))
                .willReturn(aResponse().withStatus(200).withHeader("ETag", "\"5\"")
                        .withHeader("X-Consistency-Token", "v1.0-16B3748").withBody("{}")));
        given().auth().oauth2(token).header("X-Consistency-Token", "v1.0-16B3748")
                .when().get("/api/graph/concepts/42")
                .then().statusCode(200).header("ETag", "\"5\"").header("X-Consistency-Token", "v1.0-16B3748");
        assertEquals("v1.0-16B3748", ForwardingTest.only(backend.findAll(
                anyRequestedFor(urlPathEqualTo("/graph-service/api/graph/concepts/42")))).getHeader("X-Consistency-Token"));

        backend.stubFor(post(urlPathEqualTo("/thesis-service/api/concepts/42/theses"))
                .willReturn(aResponse().withStatus(202).withHeader("Content-Type", "application/json")
                        .withHeader("Location", "http://gateway.example/api/jobs/7")
                        .withHeader("Retry-After", "2").withBody("{\"id\":\"7\",\"status\":\"QUEUED\"}")));
        given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "k-1").body("{\"count\":3}")
                .when().post("/api/concepts/42/theses")
                .then().statusCode(202).header("Location", "http://gateway.example/api/jobs/7").header("Retry-After", "2")
                .body("status", equalTo("QUEUED"));
        LoggedRequest seen = ForwardingTest.only(backend.findAll(anyRequestedFor(urlPathEqualTo("/thesis-service/api/concepts/42/theses"))));
        assertEquals("k-1", seen.getHeader("Idempotency-Key"));
        assertEquals("{\"count\":3}", seen.getBodyAsString());
    }

    /**
     * A read with a consistency token that outwaits the projection (2 s) gets the service's own 504
     * problem, byte for byte with its Retry-After; the gateway's timeouts are longer than that wait, and
     * such answers never open the breaker (the service is healthy, only behind).
     */
    @Test
    void aProjectionWaitProblemReachesTheClientAsTheBackendsOwn() {
        String problem = "{\"type\":\"urn:dialectica:problem:projection-behind\",\"title\":\"Projection behind\","
                + "\"status\":504,\"detail\":\"the search index has not reached consistency token t within 2000 ms\"}";
        backend.stubFor(get(urlPathEqualTo("/search-service/api/search")).willReturn(aResponse().withStatus(504)
                .withHeader("Content-Type", "application/problem+json").withHeader("Retry-After", "1")
                .withFixedDelay(2_100).withBody(problem)));
        given().auth().oauth2(token).header("X-Consistency-Token", "t").when().get("/api/search?q=x")
                .then().statusCode(504).contentType("application/problem+json").header("Retry-After", "1")
                .body(equalTo(problem));

        // more than the breaker's request volume (20) of such answers, from both projections
        for (String service : List.of("graph", "search")) {
            backend.stubFor(get(urlPathEqualTo("/" + service + "-service/api/" + service + "/behind")).willReturn(aResponse().withStatus(504)
                    .withHeader("Content-Type", "application/problem+json").withBody(problem)));
        }
        for (int i = 0; i < 25; i++) {
            given().auth().oauth2(token).when().get("/api/graph/behind").then().statusCode(504).body(equalTo(problem));
            given().auth().oauth2(token).when().get("/api/search/behind").then().statusCode(504).body(equalTo(problem));
        }
        assertEquals(CircuitBreakerState.CLOSED, backends.get("graph-service").circuitState());
        assertEquals(CircuitBreakerState.CLOSED, backends.get("search-service").circuitState());
        backend.stubFor(get(urlEqualTo("/search-service/api/search?q=y")).willReturn(aResponse().withStatus(200).withBody("[]")));
        given().auth().oauth2(token).when().get("/api/search?q=y").then().statusCode(200).body(equalTo("[]"));
    }
}
