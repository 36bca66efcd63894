package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Without Redis the limiter fails open (requests pass, unchecked, and are counted in a metric),
 * and readiness goes DOWN so an orchestrator can see it.
 */
@QuarkusTest
@TestProfile(RedisDownProfile.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class RedisDownTest {

    @InjectWireMock
    WireMockServer backend;

    @Test
    void requestsPassUncheckedWhileRedisIsDown() {
        backend.stubFor(any(urlPathMatching("/api/.*")).willReturn(aResponse().withStatus(200)));
        String token = TestJwt.user("while-redis-sleeps-" + UUID.randomUUID());
        // the limit is 1 in this profile: without fail-open the second request would be a 429
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(token).when().get("/api/concepts").then().statusCode(200)
                    .header("X-RateLimit-Limit", "1")
                    .header("X-RateLimit-Remaining", nullValue());
        }
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("gateway_ratelimit_store_errors_total"));
    }

    @Test
    void readinessReportsRedisDown() {
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name.contains('Redis') }.status", equalTo("DOWN"));
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
