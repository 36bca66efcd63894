package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The per-subject window in the real (test) Redis: 3 requests a minute under this profile. */
@QuarkusTest
@TestProfile(LowRateLimitProfile.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class RateLimitTest {

    static final int LIMIT = LowRateLimitProfile.LIMIT;

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        backend.stubFor(any(urlPathMatching("/api/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
    }

    @Test
    void theRequestAfterTheLimitIsRefusedWithRetryAfter() {
        String token = TestJwt.user("greedy-" + UUID.randomUUID());
        for (int i = 1; i <= LIMIT; i++) {
            given().auth().oauth2(token).when().get("/api/concepts/limited")
                    .then().statusCode(200)
                    .header("X-RateLimit-Limit", Integer.toString(LIMIT))
                    .header("X-RateLimit-Remaining", Integer.toString(LIMIT - i));
        }
        int retryAfter = Integer.parseInt(given().auth().oauth2(token).when().get("/api/concepts/limited")
                .then().statusCode(429)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(429))
                .body("type", equalTo("urn:dialectica:problem:rate-limited"))
                .header("X-RateLimit-Limit", Integer.toString(LIMIT))
                .header("X-RateLimit-Remaining", "0")
                .extract().header("Retry-After"));
        org.hamcrest.MatcherAssert.assertThat(retryAfter, allOf(greaterThanOrEqualTo(1), lessThanOrEqualTo(60)));
        // refused requests never reach the backend
        backend.verify(LIMIT, getRequestedFor(urlEqualTo("/api/concepts/limited")));
    }

    @Test
    void eachSubjectHasItsOwnWindow() {
        String first = TestJwt.user("first-" + UUID.randomUUID());
        String second = TestJwt.user("second-" + UUID.randomUUID());
        for (int i = 0; i < LIMIT; i++) {
            given().auth().oauth2(first).when().get("/api/relation-types").then().statusCode(200);
        }
        given().auth().oauth2(first).when().get("/api/relation-types").then().statusCode(429);
        given().auth().oauth2(second).when().get("/api/relation-types").then().statusCode(200)
                .header("X-RateLimit-Remaining", Integer.toString(LIMIT - 1));
    }

    @Test
    void concurrentRequestsAreCountedExactly() throws Exception {
        String token = TestJwt.user("burst-" + UUID.randomUUID());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                calls.add(CompletableFuture.supplyAsync(
                        () -> given().auth().oauth2(token).when().get("/api/concepts/burst").statusCode(), pool));
            }
            long passed = calls.stream().map(CompletableFuture::join).filter(status -> status == 200).count();
            long refused = calls.stream().map(CompletableFuture::join).filter(status -> status == 429).count();
            assertEquals(LIMIT, passed);
            assertEquals(12 - LIMIT, refused);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unauthenticatedRequestsAreNotCounted() {
        String token = TestJwt.user("patient-" + UUID.randomUUID());
        for (int i = 0; i < 5; i++) {
            given().when().get("/api/concepts").then().statusCode(401);
        }
        given().auth().oauth2(token).when().get("/api/concepts").then().statusCode(200)
                .header("X-RateLimit-Remaining", Integer.toString(LIMIT - 1));
    }
}
