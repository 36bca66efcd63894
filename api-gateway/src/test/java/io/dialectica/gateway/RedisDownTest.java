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
import static org.hamcrest.Matchers.startsWith;

/**
 * Without Redis the limiter fails open (requests pass, unchecked, and are counted in a metric), and
 * the gateway stays ready: Redis down is reported in the readiness details only, so it cannot take
 * every replica out of the load balancer.
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
    void readinessStaysUpAndReportsRedisDownInItsDetails() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'gateway rate-limit store (informational)' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'gateway rate-limit store (informational)' }.data.redis", startsWith("DOWN"));
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
