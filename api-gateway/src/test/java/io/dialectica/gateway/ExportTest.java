package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/me/export: concept-service's lines, then thesis-service's, then the end line counted by the gateway; the
 * caller's token on both parts; a refusal of the first part is the answer; a failure after the first line leaves the
 * file without its end line. The backends are WireMock (concept-service at /, thesis-service under /thesis-service).
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class ExportTest {

    private static final String CONCEPTS = "/internal/export/concepts";
    private static final String RESULTS = "/thesis-service/internal/export/results";

    @InjectWireMock
    WireMockServer backend;

    @TestHTTPResource("/api/me/export")
    URI export;

    String subject;
    String token;

    @BeforeEach
    void fresh() {
        backend.resetRequests();
        subject = "exporter-" + UUID.randomUUID();
        token = TestJwt.user(subject);
    }

    @Test
    void conceptsThenResultsThenTheEndLineWithTheCounts() throws Exception {
        lines(CONCEPTS, conceptLine("a"), conceptLine("b"), conceptLine("c"));
        lines(RESULTS, "{\"kind\":\"thesis\",\"thesis\":{\"text\":\"t1\"}}", "{\"kind\":\"thesis\",\"thesis\":{\"text\":\"t2\"}}",
                "{\"kind\":\"synthesis\",\"synthesis\":{\"id\":\"s\"}}");
        Instant before = Instant.now();

        HttpResponse<String> answer = send(token);
        assertEquals(200, answer.statusCode());
        assertEquals("application/jsonl", answer.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("attachment; filename=\"dialectica-export-" + subject + "-" + LocalDate.now(ZoneOffset.UTC) + ".jsonl\"",
                answer.headers().firstValue("Content-Disposition").orElseThrow());
        assertTrue(answer.headers().firstValue("X-RateLimit-Limit").isPresent(), "counted like any API request");
        assertTrue(answer.headers().firstValue("Content-Length").isEmpty(), "streamed, not buffered");

        List<String> lines = List.of(answer.body().split("\n"));
        assertTrue(answer.body().endsWith("\n"));
        assertEquals(7, lines.size());
        assertEquals(List.of(conceptLine("a"), conceptLine("b"), conceptLine("c")), lines.subList(0, 3));
        assertEquals("t1", new JsonObject(lines.get(3)).getJsonObject("thesis").getString("text"));
        assertEquals("synthesis", new JsonObject(lines.get(5)).getString("kind"));
        JsonObject end = new JsonObject(lines.get(6));
        assertEquals("end", end.getString("kind"));
        assertEquals(3, end.getInteger("concepts"));
        assertEquals(2, end.getInteger("theses"));
        assertEquals(1, end.getInteger("syntheses"));
        assertEquals(subject, end.getString("user"));
        assertFalse(Instant.parse(end.getString("exportedAt")).isBefore(before.minusSeconds(1)));

        // each part asked once, with the caller's own token, for JSON Lines, with the request id
        for (String path : List.of(CONCEPTS, RESULTS)) {
            List<LoggedRequest> asked = backend.findAll(getRequestedFor(urlPathEqualTo(path)));
            assertEquals(1, asked.size(), path);
            assertEquals("Bearer " + token, asked.getFirst().getHeader("Authorization"));
            assertEquals("application/jsonl", asked.getFirst().getHeader("Accept"));
            assertEquals(answer.headers().firstValue("X-Request-Id").orElseThrow(), asked.getFirst().getHeader("X-Request-Id"));
        }
    }

    @Test
    void manyLinesInSmallChunksArriveWholeAndInOrder() throws Exception {
        // 3,000 lines of about 1 KB, sent by the backend in chunks that cut lines anywhere
        List<String> many = new ArrayList<>();
        String filler = "x".repeat(1000);
        for (int i = 0; i < 3000; i++) {
            many.add("{\"kind\":\"concept\",\"concept\":{\"n\":" + i + ",\"filler\":\"" + filler + "\"}}");
        }
        backend.stubFor(get(urlPathEqualTo(CONCEPTS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/jsonl").withBody(String.join("\n", many) + "\n")
                .withChunkedDribbleDelay(400, 300)));
        lines(RESULTS);

        HttpResponse<String> answer = send(token);
        assertEquals(200, answer.statusCode());
        List<String> lines = List.of(answer.body().split("\n"));
        assertEquals(3001, lines.size());
        assertEquals(many, lines.subList(0, 3000));
        JsonObject end = new JsonObject(lines.get(3000));
        assertEquals(3000, end.getInteger("concepts"));
        assertEquals(0, end.getInteger("theses"));
        assertEquals(0, end.getInteger("syntheses"));
    }

    @Test
    void aRefusedFirstPartIsTheAnswer() throws Exception {
        backend.stubFor(get(urlPathEqualTo(CONCEPTS)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/problem+json").withHeader("Retry-After", "1")
                .withBody("{\"type\":\"urn:dialectica:problem:overloaded\",\"status\":503}")));
        HttpResponse<String> answer = send(token);
        assertEquals(503, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(answer.body().contains("overloaded"));
        assertTrue(answer.headers().firstValue("Content-Disposition").isEmpty());
        assertEquals(0, backend.findAll(getRequestedFor(urlPathEqualTo(RESULTS))).size(), "the second part is not asked");
    }

    @Test
    void aRefusedSecondPartBeforeAnyLineIsTheAnswer() throws Exception {
        // the caller owns no concept: nothing was sent when thesis-service refuses
        lines(CONCEPTS);
        backend.stubFor(get(urlPathEqualTo(RESULTS)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/problem+json")
                .withBody("{\"type\":\"urn:dialectica:problem:overloaded\",\"status\":503}")));
        HttpResponse<String> answer = send(token);
        assertEquals(503, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(answer.body().contains("overloaded"));
        assertTrue(answer.headers().firstValue("Content-Disposition").isEmpty());
    }

    @Test
    void aFailureAfterTheFirstLineLeavesNoEndLine() throws Exception {
        lines(CONCEPTS, conceptLine("a"), conceptLine("b"));
        backend.stubFor(get(urlPathEqualTo(RESULTS)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/problem+json").withBody("{\"status\":503}")));
        assertTruncatedAfter(List.of(conceptLine("a"), conceptLine("b")));

        // a line that is not JSON (or of no known kind) breaks the file off too
        lines(RESULTS, "{\"kind\":\"thesis\",\"thesis\":{}}", "not json");
        List<String> read = assertTruncatedAfter(null);
        assertTrue(read.size() >= 2, "the concepts came before the broken line: " + read);
        assertEquals(List.of(conceptLine("a"), conceptLine("b")), read.subList(0, 2));
        assertTrue(read.stream().noneMatch(l -> l.contains("not json")));
    }

    @Test
    void onlyGetAndOnlyWithAToken() {
        given().when().get("/api/me/export").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("type", equalTo("urn:dialectica:problem:unauthorized"));
        given().auth().oauth2(token).when().post("/api/me/export").then().statusCode(405)
                .contentType("application/problem+json").header("Allow", "GET");
        assertEquals(0, backend.findAll(getRequestedFor(urlPathEqualTo(CONCEPTS))).size());
    }

    /**
     * Reads the export as a client would, line by line: 200, no end line, the connection closed early, and what was
     * read is the lines sent, in order — all of them, or all but the last ones: the gateway closes only after its
     * last write went out, but a client may report the broken body before handing over the bytes that came with
     * the close (the JDK's client does, now and then: seen once in CI). A truncated file is incomplete either way
     * (no end line); what must never happen is a line that was not sent, or an end line.
     */
    private List<String> assertTruncatedAfter(List<String> expected) throws Exception {
        HttpResponse<InputStream> answer = HttpClient.newHttpClient().send(request(token), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, answer.statusCode());
        List<String> read = new ArrayList<>();
        IOException broken = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                read.add(line);
            }
        } catch (IOException e) {
            broken = e;
        }
        assertNotNull(broken, "the connection is closed before the end of the chunked body; read " + read);
        assertTrue(read.stream().noneMatch(l -> l.contains("\"kind\":\"end\"")), "no end line in " + read);
        if (expected != null) {
            // (the 200 says the gateway sent lines: it answers a problem instead while none was sent)
            assertTrue(read.size() <= expected.size(), "read " + read + " of " + expected);
            assertEquals(expected.subList(0, read.size()), read);
        }
        return read;
    }

    private HttpResponse<String> send(String bearer) throws Exception {
        return HttpClient.newHttpClient().send(request(bearer), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String bearer) {
        return HttpRequest.newBuilder(export).header("Authorization", "Bearer " + bearer).GET().build();
    }

    private void lines(String path, String... lines) {
        StringBuilder body = new StringBuilder();
        for (String line : lines) {
            body.append(line).append('\n');
        }
        backend.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/jsonl").withBody(body.toString())));
    }

    private static String conceptLine(String id) {
        return "{\"kind\":\"concept\",\"concept\":{\"id\":\"" + id + "\",\"name\":\"Concept " + id + "\"}}";
    }
}
