package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Health, metrics, OpenAPI, and the request id in log lines. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class ObservabilityTest {

    @InjectWireMock
    WireMockServer backend;

    @Test
    void livenessAndReadinessAreUpAndReportRedisAndBackendsWithoutDependingOnThem() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'gateway rate-limit store (informational)' }.data.redis", startsWith("UP (PING"))
                // the job progress consumer: a group of this replica's own
                .body("checks.find { it.name == 'gateway job progress (informational)' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'gateway job progress (informational)' }.data.group", startsWith("api-gateway-"))
                .body("checks.find { it.name == 'gateway backends (informational)' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'gateway backends (informational)' }.data.'concept-service'",
                        startsWith("UP (HTTP 200), circuit CLOSED"))
                // a backend that is down is reported, but does not make the gateway unready
                .body("checks.find { it.name == 'gateway backends (informational)' }.data.down", startsWith("DOWN"));
    }

    @Test
    void proxiedRequestsAreTimedPerRouteAndBackend() {
        backend.stubFor(get(urlEqualTo("/api/concepts/metered")).willReturn(aResponse().withStatus(200)));
        String token = TestJwt.user("metered-" + UUID.randomUUID());
        given().auth().oauth2(token).when().get("/api/concepts/metered").then().statusCode(200);
        given().when().get("/api/concepts/metered").then().statusCode(401);
        given().auth().oauth2(token).when().get("/api/nowhere").then().statusCode(404);
        given().when().get("/api/made-up-" + UUID.randomUUID()).then().statusCode(401);

        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> lines = metrics.lines().filter(l -> l.startsWith("gateway_requests_seconds_count")).toList();
        org.hamcrest.MatcherAssert.assertThat(lines, hasItem(allOf(containsString("route=\"concepts\""),
                containsString("backend=\"concept-service\""), containsString("method=\"GET\""), containsString("status=\"200\""))));
        org.hamcrest.MatcherAssert.assertThat(lines, hasItem(allOf(containsString("route=\"concepts\""), containsString("status=\"401\""))));
        org.hamcrest.MatcherAssert.assertThat(lines, hasItem(allOf(containsString("route=\"none\""), containsString("status=\"404\""))));
        // the HTTP server metrics name the route pattern, never the raw (unbounded) path
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("uri=\"/api/concepts/**\""));
        org.hamcrest.MatcherAssert.assertThat(metrics, not(containsString("uri=\"/api/concepts/metered\"")));
        org.hamcrest.MatcherAssert.assertThat(metrics, not(containsString("made-up")));
        // latency as histogram buckets: the alerts and the canary analysis compute p95 from them
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("http_server_requests_seconds_bucket{"));
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("gateway_requests_seconds_bucket{"));
        // the breaker of each backend is visible too (SmallRye Fault Tolerance metrics)
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("ft_circuitbreaker"));
    }

    @Test
    void theOpenApiDocumentDescribesTheGatewaysContract() {
        given().accept("application/json").when().get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("Dialectica public API"))
                .body("components.securitySchemes.jwt.scheme", equalTo("bearer"))
                .body("components.responses.RateLimited.headers", org.hamcrest.Matchers.hasKey("Retry-After"));
    }

    @Test
    void logLinesWrittenAfterTheBackendAnsweredCarryTheirOwnRequestId() throws Exception {
        backend.stubFor(get(urlPathMatching("/api/test/slow/.*")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        // each proxy log line names the path, and the path names the request id it was sent with
        Map<String, String> idByPath = new ConcurrentHashMap<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                // the MDC is read where the line is logged: the event loop, once the backend failed
                String message = ((ExtLogRecord) record).getFormattedMessage();
                Matcher path = Pattern.compile("/api/test/\\w+/(log-\\d+)").matcher(message);
                if (path.find()) {
                    idByPath.put(path.group(1), String.valueOf(((ExtLogRecord) record).getMdc("requestId")));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("io.dialectica.gateway.proxy.ProxyHandler");
        logger.addHandler(capture);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            String token = TestJwt.user("logged-" + UUID.randomUUID());
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            // slow ones time out (504) after others have come and gone on the same event loops
            for (int i = 0; i < 24; i++) {
                String id = "log-" + i;
                String path = (i % 3 == 0 ? "/api/test/slow/" : "/api/test/down/") + id;
                calls.add(CompletableFuture.supplyAsync(() -> given().auth().oauth2(token).header("X-Request-Id", id)
                        .when().get(path).statusCode(), pool));
            }
            calls.forEach(CompletableFuture::join);
        } finally {
            pool.shutdownNow();
            logger.removeHandler(capture);
        }
        assertEquals(24, idByPath.size(), idByPath.toString());
        idByPath.forEach((expected, logged) -> assertEquals(expected, logged, "MDC request id of the line about " + expected));
    }

    @SafeVarargs
    private static <T> org.hamcrest.Matcher<T> allOf(org.hamcrest.Matcher<? super T>... matchers) {
        return org.hamcrest.Matchers.allOf(matchers);
    }
}
