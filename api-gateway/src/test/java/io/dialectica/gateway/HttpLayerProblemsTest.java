package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.RawHttp;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's HTTP layer answers problem+json with the request id on every path, not only under /api: a path
 * nothing serves, a request line or headers over the limits, a body over the server's limit still being sent.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class HttpLayerProblemsTest {

    private static final String UUID_PATTERN = "[0-9a-f-]{36}";

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        backend.stubFor(any(urlPathMatching("/api/.*")).willReturn(aResponse().withStatus(200)));
    }

    @Test
    void aPathNoRouteServesIs404ProblemJson() {
        // (GET / is the studio, and POST / a 405 problem: StudioAssetsTest)
        for (String path : new String[] {"/nope", "/q/nope", "/ws/jobs", "/apis/concepts"}) {
            given().header("X-Request-Id", "unrouted-1").when().post(path).then().statusCode(404)
                    .contentType(startsWith("application/problem+json"))
                    .header("X-Request-Id", "unrouted-1")
                    .body("type", equalTo("urn:dialectica:problem:not-found"))
                    .body("title", equalTo("Not Found"))
                    .body("status", equalTo(404))
                    .body("detail", equalTo("nothing is served at this path"))
                    .body("instance", equalTo(path))
                    .body("requestId", equalTo("unrouted-1"));
        }
        given().when().get("/nope").then().statusCode(404).body("requestId", matchesPattern(UUID_PATTERN));
        // HEAD: the status and type, no body
        given().when().head("/nope").then().statusCode(404).contentType(startsWith("application/problem+json"));
    }

    @Test
    void aRequestLineOverTheLimitIs414ProblemJson() throws IOException {
        for (String path : new String[] {"/api/concepts?q=", "/nope?q="}) {
            RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "GET " + path + "a".repeat(5000)
                    + " HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: long-line-1\r\nConnection: close\r\n\r\n");
            JsonObject problem = assertProblem(answer, 414, "urn:dialectica:problem:uri-too-long", "long-line-1");
            assertEquals(path.substring(0, path.indexOf('?')), problem.getString("instance"));
            assertTrue(problem.getString("detail").contains("at most 4096"), answer.body());
        }
        String longPath = "/api/concepts/" + "p".repeat(4500);
        given().when().get(longPath).then().statusCode(414)
                .body("instance", equalTo(longPath.substring(0, 256) + "..."))
                .body("requestId", matchesPattern(UUID_PATTERN));
        backend.verify(0, anyRequestedFor(urlPathMatching("/api/.*")));
    }

    @Test
    void headersOverTheLimitAre431ProblemJson() throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "GET /api/concepts HTTP/1.1\r\nHost: localhost\r\n"
                + "X-Big: " + "b".repeat(20_000) + "\r\nX-Request-Id: big-headers-1\r\nConnection: close\r\n\r\n");
        JsonObject problem = assertProblem(answer, 431, "urn:dialectica:problem:header-fields-too-large", "big-headers-1");
        assertEquals("/api/concepts", problem.getString("instance"));
        backend.verify(0, anyRequestedFor(urlPathMatching("/api/.*")));
    }

    /**
     * Bodies over the proxy's limit (1 MiB, its own 413) and over the HTTP server's (2 MiB, which Quarkus answered
     * bare, closing the connection under the sender): the client writes its whole body without waiting, reads the
     * 413 problem, and the connection serves the next request.
     */
    @Test
    void aBodyOverTheLimitIs413AndTheSenderCanFinishAndReadIt() throws IOException {
        String token = TestJwt.user("big-body-" + UUID.randomUUID());
        for (int size : new int[] {1_500_000, 3_000_000}) {
            try (Socket socket = RawHttp.connect(RestAssured.port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /api/concepts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Authorization: Bearer " + token + "\r\nX-Request-Id: big-body-" + size
                        + "\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'd');
                for (int sent = 0; sent < size; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, size - sent));
                }
                out.flush();
                InputStream in = socket.getInputStream();
                JsonObject problem = assertProblem(RawHttp.read(in), 413, "urn:dialectica:problem:payload-too-large",
                        "big-body-" + size);
                assertEquals("/api/concepts", problem.getString("instance"));

                out.write(("GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals(200, RawHttp.read(in).status(), "the connection is still usable after the 413");
            }
        }
        backend.verify(0, anyRequestedFor(urlPathMatching("/api/.*")));
    }

    @Test
    void aClientWaitingFor100ContinueGetsThe413AndTheConnectionCloses() throws IOException {
        try (Socket socket = RawHttp.connect(RestAssured.port)) {
            socket.getOutputStream().write(("POST /api/concepts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 5000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawHttp.Answer answer = RawHttp.read(socket.getInputStream());
            assertProblem(answer, 413, "urn:dialectica:problem:payload-too-large", null);
            assertEquals("close", answer.header("Connection"));
            assertEquals(-1, socket.getInputStream().read(), "the connection is closed after the answer");
        }
    }

    static JsonObject assertProblem(RawHttp.Answer answer, int status, String type, String requestId) {
        assertEquals(status, answer.status(), answer.body());
        assertTrue(String.valueOf(answer.header("Content-Type")).startsWith("application/problem+json"),
                answer.headers().toString());
        JsonObject problem = new JsonObject(answer.body());
        assertEquals(status, problem.getInteger("status"));
        assertEquals(type, problem.getString("type"));
        assertTrue(problem.getString("title") != null && problem.getString("detail") != null, answer.body());
        assertTrue(problem.getString("instance") != null, answer.body());
        if (requestId != null) {
            assertEquals(requestId, problem.getString("requestId"));
            assertEquals(requestId, answer.header("X-Request-Id"));
        } else {
            assertTrue(problem.getString("requestId").matches(UUID_PATTERN), answer.body());
        }
        return problem;
    }
}
