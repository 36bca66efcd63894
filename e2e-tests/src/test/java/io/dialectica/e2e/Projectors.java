package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;

/** What a projector (graph-service, search-service) tells about its progress: readiness details and metrics. */
final class Projectors {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Projectors() {
    }

    /** The low watermark (commit LSN) from the readiness details ({@code lowWatermarkLsn}), if it answers. */
    static OptionalLong lowWatermark(ServiceProcess projector) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(projector.baseUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode found = find(JSON.readTree(response.body()), "lowWatermarkLsn");
            return found == null || !found.canConvertToLong() && !found.isTextual()
                    ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(found.asText()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** Waits until the projector's low watermark is at or past {@code lsn}. */
    static void awaitPosition(ServiceProcess projector, long lsn, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        OptionalLong last = OptionalLong.empty();
        while (Instant.now().isBefore(deadline)) {
            last = lowWatermark(projector);
            if (last.isPresent() && last.getAsLong() >= lsn) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(projector.name() + " did not reach LSN " + io.dialectica.contracts.Lsn.format(lsn)
                + " within " + timeout + " (low watermark " + (last.isPresent() ? io.dialectica.contracts.Lsn.format(last.getAsLong()) : "unknown")
                + "); see " + projector.log());
    }

    /** Sum of every series of a Prometheus metric on /q/metrics (0 when absent). */
    static double metric(ServiceProcess service, String name) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            for (String line : response.body().split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException e) {
            throw new IllegalStateException(service.name() + " metrics do not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode find(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            if (node.has(field)) {
                return node.get(field);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                JsonNode found = find(it.next().getValue(), field);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                JsonNode found = find(child, field);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
