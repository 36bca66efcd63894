package io.dialectica.gateway.studio;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.gateway.BackendsTestResource;
import io.dialectica.gateway.InjectWireMock;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio's local sign-in: in a development profile (here: test) {@code POST /auth/dev-token} signs the same token
 * as {@code ./dialectica token}, and the gateway (and so every service) accepts it.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
@QuarkusTestResource(value = DevTokenKeyResource.class, restrictToAnnotatedClass = true)
class DevTokenTest {

    @InjectWireMock
    WireMockServer backend;

    @Test
    void theConfigSaysDevTokensAreOffered() {
        given().when().get("/auth/config").then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("devTokens", org.hamcrest.Matchers.equalTo(true));
    }

    @Test
    void aDevTokenIsSignedWithTheTrustedKeyAndOpensTheApi() throws Exception {
        String user = "studio-" + UUID.randomUUID().toString().substring(0, 8);
        String token = given().contentType("application/json").body("{\"user\": \"" + user + "\"}")
                .when().post("/auth/dev-token").then().statusCode(200)
                .contentType(startsWith("application/json"))
                .header("Cache-Control", "no-store")
                .body("user", org.hamcrest.Matchers.equalTo(user))
                .extract().path("token");

        String[] parts = token.split("\\.");
        JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        assertEquals("RS256", header.getString("alg"));
        assertEquals("dialectica-dev", header.getString("kid"));
        assertEquals(TestJwt.ISSUER, claims.getString("iss"));
        assertEquals(user, claims.getString("sub"));
        assertEquals(user, claims.getString("upn"));
        assertEquals("user", claims.getJsonArray("groups").getString(0));
        assertEquals(1, claims.getJsonArray("groups").size(), "never admin: " + claims);
        assertTrue(claims.getString("jti") != null && !claims.getString("jti").isBlank(), claims.toString());
        long lifetime = claims.getLong("exp") - claims.getLong("iat");
        assertEquals(Duration.ofHours(8).toSeconds(), lifetime, claims.toString());
        assertTrue(Math.abs(claims.getLong("iat") - Instant.now().getEpochSecond()) < 60, claims.toString());
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(TestJwt.publicKey());
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])), "signed with the key the services trust");

        backend.stubFor(get(urlPathEqualTo("/api/concepts")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"items\":[]}")));
        given().header("Authorization", "Bearer " + token).when().get("/api/concepts").then().statusCode(200);
        backend.verify(getRequestedFor(urlPathEqualTo("/api/concepts")).withHeader("Authorization", equalTo("Bearer " + token)));
    }

    @Test
    void aBadUserNameOrBodyIsA400ProblemInWords() {
        for (String body : new String[] {"{\"user\": \"a b\"}", "{\"user\": \"\"}", "{\"user\": 42}", "{}",
                "{\"user\": \"" + "x".repeat(65) + "\"}"}) {
            given().contentType("application/json").body(body).when().post("/auth/dev-token").then().statusCode(400)
                    .contentType(startsWith("application/problem+json"))
                    .body("type", org.hamcrest.Matchers.equalTo("urn:dialectica:problem:bad-request"))
                    .body("detail", org.hamcrest.Matchers.equalTo("user: must be 1-64 characters of A-Z a-z 0-9 . _ @ -"));
        }
        for (String body : new String[] {"alice", "[\"alice\"]", ""}) {
            given().contentType("application/json").body(body).when().post("/auth/dev-token").then().statusCode(400)
                    .contentType(startsWith("application/problem+json"))
                    .body("instance", org.hamcrest.Matchers.equalTo("/auth/dev-token"));
        }
        given().when().get("/auth/dev-token").then().statusCode(405).contentType(startsWith("application/problem+json"));
    }
}
