package io.dialectica.concept.rest;

import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.RawHttp;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals of the HTTP layer itself (service-support's HttpLayer) are problem+json with the request id, like the
 * API's own: a request line or headers over the limits, a body over the limit still being sent, paths and
 * methods nothing serves, media types.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class HttpLayerTest {

    private static final String UUID_PATTERN = "[0-9a-f-]{36}";

    @Test
    void aRequestLineOverTheLimitIs414ProblemJson() throws IOException {
        String uri = "/api/concepts?q=" + "a".repeat(5000);
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "GET " + uri
                + " HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: long-line-1\r\nConnection: close\r\n\r\n");
        JsonObject problem = assertProblem(answer, 414, "urn:dialectica:problem:uri-too-long", "long-line-1");
        assertEquals("/api/concepts", problem.getString("instance"));
        assertTrue(problem.getString("detail").contains("at most 4096"), answer.body());
    }

    @Test
    void aLongPathIsCutInTheInstance() {
        String path = "/api/" + "p".repeat(4500);
        given().when().get(path).then().statusCode(414)
                .contentType(startsWith("application/problem+json"))
                .body("instance", equalTo(path.substring(0, 256) + "..."))
                .body("requestId", matchesPattern(UUID_PATTERN));
    }

    @Test
    void headersOverTheLimitAre431ProblemJson() throws IOException {
        String big = "b".repeat(25_000);
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "GET /api/relation-types HTTP/1.1\r\nHost: localhost\r\n"
                + "X-Big: " + big + "\r\nX-Request-Id: big-headers-1\r\nConnection: close\r\n\r\n");
        JsonObject problem = assertProblem(answer, 431, "urn:dialectica:problem:header-fields-too-large", "big-headers-1");
        assertEquals("/api/relation-types", problem.getString("instance"));
    }

    /**
     * The client sends its whole body without waiting (no Expect: 100-continue), as most clients do. The 413 is
     * answered while it is still sending; the rest of the body is read and dropped, so the write completes, the
     * client reads the problem, and the connection still serves the next request. Before, the connection was
     * closed under the sender: a broken pipe or a reset instead of the 413.
     */
    @Test
    void aBodyOverTheLimitIs413AndTheSenderCanFinishAndReadIt() throws IOException {
        // 1.5 MB: over dialectica.concepts.max-body-bytes (BodyLimit); 3 MB: over quarkus.http.limits.max-body-size (HttpLayer)
        for (int size : new int[] {1_500_000, 3_000_000}) {
            try (Socket socket = RawHttp.connect(RestAssured.port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /api/concepts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Authorization: Bearer " + TestJwt.user("big-body") + "\r\nX-Request-Id: big-body-" + size
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

                // the same connection serves the next request
                out.write(("GET /api/relation-types HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + TestJwt.user("big-body") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals(200, RawHttp.read(in).status(), "the connection is still usable after the 413");
            }
        }
    }

    @Test
    void aClientWaitingFor100ContinueGetsThe413AndNoRequestForTheBody() throws IOException {
        try (Socket socket = RawHttp.connect(RestAssured.port)) {
            socket.getOutputStream().write(("POST /api/concepts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 5000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawHttp.Answer answer = RawHttp.read(socket.getInputStream());
            assertProblem(answer, 413, "urn:dialectica:problem:payload-too-large", null);
            assertEquals("close", answer.header("Connection"));
            assertEquals(-1, socket.getInputStream().read(), "the connection is closed after the answer");
        }
    }

    @Test
    void pathsMethodsAndMediaTypesNothingServesAreProblemJson() {
        String token = TestJwt.user("http-layer");
        given().header("X-Request-Id", "unknown-path-1").when().get("/no/such/thing").then().statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .header("X-Request-Id", "unknown-path-1")
                .body("status", equalTo(404)).body("type", equalTo("urn:dialectica:problem:http-404"))
                .body("title", equalTo("Not Found")).body("instance", equalTo("/no/such/thing"))
                .body("requestId", equalTo("unknown-path-1"));
        given().when().get("/q/no-such-endpoint").then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("requestId", matchesPattern(UUID_PATTERN));
        given().auth().oauth2(token).when().delete("/api/relation-types").then().statusCode(405)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:dialectica:problem:http-405")).body("requestId", matchesPattern(UUID_PATTERN));
        given().auth().oauth2(token).accept("text/xml").when().get("/api/relation-types").then().statusCode(406)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:dialectica:problem:http-406")).body("requestId", matchesPattern(UUID_PATTERN));
        given().auth().oauth2(token).contentType("text/plain").body("name=x").when().post("/api/concepts").then()
                .statusCode(415).contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:dialectica:problem:http-415")).body("detail", org.hamcrest.Matchers.notNullValue())
                .body("instance", equalTo("/api/concepts")).body("requestId", matchesPattern(UUID_PATTERN));
    }

    @Test
    void everyProblemNamesItsRequestAndASaneIdIsKept() {
        given().header("X-Request-Id", "gw-4f2a:1").when().get("/api/concepts").then().statusCode(401)
                .header("X-Request-Id", "gw-4f2a:1").body("requestId", equalTo("gw-4f2a:1"));
        // an insane id (spaces, too long) is replaced by a fresh one, the same in the header and the body
        var response = given().header("X-Request-Id", "not sane " + "x".repeat(200)).when().get("/api/concepts");
        response.then().statusCode(401).header("X-Request-Id", matchesPattern(UUID_PATTERN))
                .body("requestId", equalTo(response.header("X-Request-Id")));
        given().auth().oauth2(TestJwt.user("http-layer")).when().get("/api/concepts/not-a-uuid").then().statusCode(400)
                .body("requestId", matchesPattern(UUID_PATTERN));
        // and answers that are no problem carry it too
        given().auth().oauth2(TestJwt.user("http-layer")).header("X-Request-Id", "ok-1").when().get("/api/relation-types")
                .then().statusCode(200).header("X-Request-Id", "ok-1");
    }

    /** The problem document of a raw answer, checked for the usual fields. */
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
