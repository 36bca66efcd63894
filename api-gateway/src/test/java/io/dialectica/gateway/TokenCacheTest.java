package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.gateway.security.VerifiedTokens;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A token is verified once and then served from the cache (VerifiedTokens); the cache never lets a bad
 * token through and never mixes up two callers.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class TokenCacheTest {

    @InjectWireMock
    WireMockServer backend;

    @Inject
    VerifiedTokens verified;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        backend.stubFor(any(urlPathMatching("/api/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
    }

    @Test
    void aTokenIsVerifiedOnceForManyRequests() {
        String token = TestJwt.user("cached-" + System.nanoTime());
        long before = verified.verifications();
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(token).when().get("/api/relation-types").then().statusCode(200);
        }
        assertEquals(before + 1, verified.verifications(), "five requests with one token: one full verification");
        backend.verify(5, anyRequestedFor(urlPathMatching("/api/relation-types"))
                .withHeader("Authorization", equalTo("Bearer " + token)));
    }

    @Test
    void badTokensAreNeverCachedAndAlwaysRefused() {
        long before = verified.verifications();
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(TestJwt.forged("mallory")).when().get("/api/relation-types").then().statusCode(401);
            given().auth().oauth2(TestJwt.expired("mallory")).when().get("/api/relation-types").then().statusCode(401);
        }
        assertEquals(before, verified.verifications(), "a refused token is not remembered");
        backend.verify(0, anyRequestedFor(urlPathMatching("/api/relation-types")));
    }

    @Test
    void eachCallerKeepsItsOwnSubject() throws InterruptedException {
        // rate-limit windows are aligned to the minute: start well inside one
        long secondOfMinute = java.time.Instant.now().getEpochSecond() % 60;
        if (secondOfMinute > 50) {
            Thread.sleep((61 - secondOfMinute) * 1000);
        }
        String alice = TestJwt.user("alice-" + System.nanoTime());
        String bob = TestJwt.user("bob-" + System.nanoTime());
        for (int i = 0; i < 3; i++) {
            // the rate limit header counts per subject: a mixed-up subject would show in the remaining count
            String a = given().auth().oauth2(alice).when().get("/api/relation-types").then().statusCode(200)
                    .extract().header("X-RateLimit-Remaining");
            String b = given().auth().oauth2(bob).when().get("/api/relation-types").then().statusCode(200)
                    .extract().header("X-RateLimit-Remaining");
            assertEquals(a, b, "alice and bob have each made " + (i + 1) + " requests");
        }
    }
}
