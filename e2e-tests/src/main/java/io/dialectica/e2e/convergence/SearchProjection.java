package io.dialectica.e2e.convergence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * search-service's index, read directly from OpenSearch: {@code _mget} of the concept documents through the
 * alias (realtime), mapped to {@link ConceptImage}s (search-service/README.md, "the document"). A tombstone
 * ({@code deleted: true}) counts as absent. The search document carries no canvas position (x, y).
 */
public final class SearchProjection implements Projection {

    private static final Profile PROFILE = new Profile(
            Set.of("name", "description", "tradition", "owner", "visibility", "qualityScore", "version"),
            Set.of("membershipId", "name", "description", "weight"),
            Set.of("id", "weight", "rationale"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String baseUrl;
    private final String alias;

    /** @param baseUrl OpenSearch, e.g. {@code http://127.0.0.1:19200}; @param alias the concept index alias */
    public SearchProjection(String baseUrl, String alias) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.alias = alias;
    }

    @Override
    public String store() {
        return "search";
    }

    @Override
    public Profile profile() {
        return PROFILE;
    }

    @Override
    public Map<String, ConceptImage> read(Collection<String> conceptIds) {
        Map<String, ConceptImage> images = new HashMap<>();
        for (var batch : PostgresTruth.batches(conceptIds, 500)) {
            ObjectNode body = mapper.createObjectNode();
            batch.forEach(body.putArray("ids")::add);
            JsonNode answer = post("/" + alias + "/_mget?realtime=true", body);
            for (JsonNode doc : answer.path("docs")) {
                String id = doc.path("_id").asText();
                JsonNode source = doc.path("_source");
                if (!doc.path("found").asBoolean(false) || source.path("deleted").asBoolean(false)) {
                    images.put(id, ConceptImage.absent(id));
                    continue;
                }
                images.put(id, image(id, source));
            }
        }
        for (String id : conceptIds) {
            images.putIfAbsent(id, ConceptImage.absent(id));
        }
        return images;
    }

    static ConceptImage image(String id, JsonNode source) {
        ConceptImage image = ConceptImage.present(id)
                .attribute("name", text(source, "name"))
                .attribute("description", text(source, "description"))
                .attribute("tradition", text(source, "tradition"))
                .attribute("owner", text(source, "owner"))
                .attribute("visibility", text(source, "visibility"))
                .attribute("qualityScore", number(source, "qualityScore"))
                .attribute("version", source.hasNonNull("conceptVersion") ? source.get("conceptVersion").asLong() : null);
        for (JsonNode c : source.path("categories")) {
            Map<String, Object> m = image.category(c.path("id").asText());
            ConceptImage.put(m, "membershipId", text(c, "membershipId"));
            ConceptImage.put(m, "name", text(c, "name"));
            ConceptImage.put(m, "description", text(c, "description"));
            ConceptImage.put(m, "weight", number(c, "weight"));
        }
        for (JsonNode r : source.path("relations")) {
            Map<String, Object> rel = image.relation(r.path("from").asText(), r.path("type").asText(), r.path("to").asText());
            ConceptImage.put(rel, "id", text(r, "id"));
            ConceptImage.put(rel, "weight", number(r, "weight"));
            ConceptImage.put(rel, "rationale", text(r, "rationale"));
        }
        return image;
    }

    @Override
    public Set<String> presentIds() {
        Set<String> ids = new LinkedHashSet<>();
        ObjectNode body = mapper.createObjectNode();
        body.put("size", 1000);
        body.putArray("_source").add("deleted");
        // search-service's progress documents (one per topic-partition, kind "progress") are not concepts
        var mustNot = body.putObject("query").putObject("bool").putArray("must_not");
        mustNot.addObject().putObject("term").put("deleted", true);
        mustNot.addObject().putObject("term").put("kind", "progress");
        JsonNode page = post("/" + alias + "/_search?scroll=1m", body);
        String scrollId = page.path("_scroll_id").asText(null);
        try {
            while (page.path("hits").path("hits").size() > 0) {
                for (JsonNode hit : page.path("hits").path("hits")) {
                    String id = hit.path("_id").asText();
                    if (!id.startsWith("_progress:")) {
                        ids.add(id);
                    }
                }
                ObjectNode next = mapper.createObjectNode().put("scroll", "1m").put("scroll_id", scrollId);
                page = post("/_search/scroll", next);
                scrollId = page.path("_scroll_id").asText(scrollId);
            }
        } finally {
            if (scrollId != null) {
                try {
                    http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/_search/scroll/" + scrollId)).DELETE().build(),
                            HttpResponse.BodyHandlers.discarding());
                } catch (IOException | InterruptedException ignored) {
                    // the scroll expires by itself
                }
            }
        }
        return ids;
    }

    private JsonNode post(String path, JsonNode body) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("OpenSearch " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return mapper.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("OpenSearch at " + baseUrl + " does not answer " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static Double number(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asDouble() : null;
    }

    @Override
    public void close() {
        http.close();
    }
}
