package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bodies over gateway.max-body-size (1 MiB) never reach a backend, whether declared or streamed. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class BodyLimitTest {

    static final int LIMIT = 1024 * 1024;

    @InjectWireMock
    WireMockServer backend;

    String token;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        backend.stubFor(any(urlPathMatching("/api/.*")).willReturn(aResponse().withStatus(201)));
        token = TestJwt.user("bodies-" + UUID.randomUUID());
    }

    @Test
    void aBodyDeclaredTooLargeIsRefusedBeforeItIsRead() {
        given().auth().oauth2(token).contentType("application/json").body(json(LIMIT + 1))
                .when().post("/api/concepts")
                .then().statusCode(413)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(413))
                .body("type", equalTo("urn:dialectica:problem:payload-too-large"));
        backend.verify(0, anyRequestedFor(urlPathMatching("/api/.*")));
    }

    @Test
    void aBodyOfExactlyTheLimitPasses() {
        String body = json(LIMIT);
        given().auth().oauth2(token).contentType("application/json").body(body)
                .when().post("/api/concepts").then().statusCode(201);
        assertEquals(LIMIT, backend.findAll(postRequestedFor(urlEqualTo("/api/concepts"))).get(0).getBody().length);
    }

    @Test
    void aChunkedBodyIsCappedWhileItStreams() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        for (int size : new int[] { LIMIT + 1, 3 * LIMIT }) {
            byte[] body = json(size).getBytes();
            // an InputStream publisher of unknown length: sent with Transfer-Encoding: chunked, no Content-Length
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/concepts"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
            assertEquals(413, new JsonObject(response.body()).getInteger("status"));
        }
        // a small chunked body passes, whole
        byte[] small = json(2048).getBytes();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/concepts"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(small)))
                .build();
        assertEquals(201, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        var seen = backend.findAll(postRequestedFor(urlEqualTo("/api/concepts")));
        assertEquals(1, seen.size());
        assertEquals(2048, seen.get(0).getBody().length);
    }

    @Test
    void aClientWaitingFor100ContinueIsAskedForTheBodyOnlyOnceTheChecksPass() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = json(4096);
        HttpRequest accepted = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/concepts"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .expectContinue(true).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        assertEquals(201, client.send(accepted, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(body, backend.findAll(postRequestedFor(urlEqualTo("/api/concepts"))).get(0).getBodyAsString());

        // refused on its headers: the body is never sent
        HttpRequest refused = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/concepts"))
                .header("Content-Type", "application/json")
                .expectContinue(true).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = client.send(refused, HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
        assertEquals(401, new JsonObject(response.body()).getInteger("status"));
    }

    /** A JSON document of exactly {@code size} bytes. */
    static String json(int size) {
        String head = "{\"description\":\"";
        String tail = "\"}";
        return head + "d".repeat(size - head.length() - tail.length()) + tail;
    }
}
