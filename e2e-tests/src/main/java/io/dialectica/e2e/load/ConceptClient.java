package io.dialectica.e2e.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A small blocking client of concept-service's write API (or any Dialectica HTTP API) for load and fault
 * tests: every call answers status, JSON body, {@code ETag} and {@code X-Consistency-Token}.
 */
public final class ConceptClient implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String baseUrl;
    private final String token;

    public ConceptClient(String baseUrl, String bearerToken) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = bearerToken;
    }

    /** What one request answered. {@code sentAt}/{@code answeredAt}: System.nanoTime() around the exchange. */
    public record Reply(int status, JsonNode body, String etag, String consistencyToken, long sentAt, long answeredAt) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String id() {
            return body.path("id").asText(null);
        }

        public Reply expect(int... statuses) {
            for (int s : statuses) {
                if (s == status) {
                    return this;
                }
            }
            throw new IllegalStateException("unexpected status " + status + ": " + body);
        }
    }

    public Reply get(String path) {
        return send("GET", path, null, Map.of());
    }

    public Reply get(String path, Map<String, String> headers) {
        return send("GET", path, null, headers);
    }

    public Reply post(String path, Object body) {
        return send("POST", path, body, Map.of());
    }

    public Reply put(String path, Object body, String ifMatch) {
        return send("PUT", path, body, ifMatch == null ? Map.of() : Map.of("If-Match", ifMatch));
    }

    public Reply delete(String path) {
        return send("DELETE", path, null, Map.of());
    }

    public Reply send(String method, String path, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json");
            headers.forEach(request::header);
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            long sent = System.nanoTime();
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            long answered = System.nanoTime();
            JsonNode json = response.body().length == 0 ? MissingNode.getInstance() : parse(response.body());
            return new Reply(response.statusCode(), json, response.headers().firstValue("ETag").orElse(null),
                    response.headers().firstValue("X-Consistency-Token").orElse(null), sent, answered);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + baseUrl + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.getNodeFactory().textNode(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
