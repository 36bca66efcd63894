package io.dialectica.worker;

import io.dialectica.testsupport.TopicCollector;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/** Graph-service answers, Messages API SSE bodies and request publishing for the tests. */
public final class Fixtures {

    private static final KafkaProducer<String, byte[]> PRODUCER = new KafkaProducer<>(
            Map.of("bootstrap.servers", WorkerTestResource.BOOTSTRAP, "acks", "all"), new StringSerializer(),
            new ByteArraySerializer());

    private Fixtures() {
    }

    /** A concept as graph-service knows it: categories with PageRank scores, relations between them. */
    public record Concept(UUID id, String name, Map<String, Double> centrality, List<String[]> relations) {
        public List<String> categoryNames() {
            return List.copyOf(centrality.keySet());
        }
    }

    /** A concept with categories named "{prefix} A", "{prefix} B", ... and decreasing centrality. */
    public static Concept concept(String name, int categories) {
        Map<String, Double> c = new LinkedHashMap<>();
        for (int i = 0; i < categories; i++) {
            c.put(name + " " + (char) ('A' + i), Math.round((0.5 / (i + 1)) * 1000) / 1000.0);
        }
        List<String[]> rel = new ArrayList<>();
        List<String> names = List.copyOf(c.keySet());
        for (int i = 1; i < names.size(); i++) {
            rel.add(new String[] { names.get(i - 1), names.get(i), "IMPLIES" });
        }
        return new Concept(UUID.randomUUID(), name, c, rel);
    }

    /** Stubs GET concept, centrality and related for the concept (service token required). */
    public static void stubGraph(Concept concept) {
        var graph = WorkerTestResource.graph;
        ObjectNode body = TopicCollector.MAPPER.createObjectNode();
        body.put("id", concept.id().toString()).put("name", concept.name()).put("description",
                "The concept " + concept.name() + ".").put("tradition", "Test tradition").put("owner", "alice")
                .put("visibility", "PUBLIC").put("appliedLsn", 42);
        ArrayNode cats = body.putArray("categories");
        ObjectNode centrality = TopicCollector.MAPPER.createObjectNode();
        centrality.put("conceptId", concept.id().toString());
        ArrayNode items = centrality.putArray("items");
        Map<String, UUID> ids = new LinkedHashMap<>();
        concept.centrality().forEach((name, score) -> {
            UUID id = UUID.nameUUIDFromBytes((concept.id() + name).getBytes(StandardCharsets.UTF_8));
            ids.put(name, id);
            cats.addObject().put("id", id.toString()).put("name", name).put("description", "About " + name)
                    .put("weight", 0.8).put("x", 0).put("y", 0);
            items.addObject().put("categoryId", id.toString()).put("name", name).put("score", score);
        });
        ArrayNode rels = body.putArray("relations");
        for (String[] r : concept.relations()) {
            rels.addObject().put("id", UUID.randomUUID().toString()).put("type", r[2])
                    .put("fromCategoryId", ids.get(r[0]).toString()).put("toCategoryId", ids.get(r[1]).toString())
                    .put("weight", 0.7).put("rationale", r[0] + " leads to " + r[1]);
        }
        ObjectNode related = TopicCollector.MAPPER.createObjectNode();
        related.put("conceptId", concept.id().toString());
        related.putArray("items").addObject().put("id", UUID.randomUUID().toString()).put("name", "Near " + concept.name())
                .put("tradition", "Test tradition").put("score", 0.4).putArray("sharedCategories")
                .add(concept.categoryNames().getFirst());
        String base = "/api/graph/concepts/" + concept.id();
        graph.stubFor(get(urlPathEqualTo(base)).withHeader("Authorization", matching("Bearer .+"))
                .willReturn(okJson(json(body))));
        graph.stubFor(get(urlPathEqualTo(base + "/centrality")).withHeader("Authorization", matching("Bearer .+"))
                .willReturn(okJson(json(centrality))));
        graph.stubFor(get(urlPathEqualTo(base + "/related")).withHeader("Authorization", matching("Bearer .+"))
                .willReturn(okJson(json(related))));
    }

    /**
     * Stubs GET similar for the concept: graph-service's answer, items as listed (the worker orders, filters and
     * cuts them itself).
     */
    public static void stubSimilar(Concept concept, List<ObjectNode> items) {
        ObjectNode body = TopicCollector.MAPPER.createObjectNode();
        body.put("conceptId", concept.id().toString()).put("pending", false);
        ArrayNode array = body.putArray("items");
        items.forEach(array::add);
        WorkerTestResource.graph.stubFor(get(urlPathEqualTo("/api/graph/concepts/" + concept.id() + "/similar"))
                .withHeader("Authorization", matching("Bearer .+")).willReturn(okJson(json(body))));
    }

    public static ObjectNode similarItem(UUID id, String name, String description, double score, String... shared) {
        ObjectNode item = TopicCollector.MAPPER.createObjectNode();
        item.put("id", id.toString()).put("name", name).put("tradition", "Test tradition")
                .put("description", description).put("score", score);
        ArrayNode names = item.putArray("sharedCategories");
        for (String s : shared) {
            names.add(s);
        }
        return item;
    }

    /** A valid theses.v1 answer using the concept's first categories. */
    public static String thesesAnswer(Concept concept, int count) {
        ObjectNode root = TopicCollector.MAPPER.createObjectNode();
        ArrayNode theses = root.putArray("theses");
        for (int i = 0; i < count; i++) {
            ObjectNode t = theses.addObject();
            t.put("text", "Thesis " + (i + 1) + " on " + concept.name() + ": what is posited passes into its other.");
            t.put("rationale", "It follows from the relation between " + concept.categoryNames().get(0) + " and "
                    + concept.categoryNames().get(1) + ".");
            t.putArray("categories").add(concept.categoryNames().get(0)).add(concept.categoryNames().get(i % 2 + 1));
        }
        return json(root);
    }

    public static String synthesisAnswer(String name) {
        return "{\"name\":\"" + name + "\",\"description\":\"A synthesis.\",\"tradition\":\"Dialectics\","
                + "\"categories\":[{\"name\":\"Unity\",\"description\":\"the whole\",\"weight\":0.9},"
                + "{\"name\":\"Difference\",\"description\":\"the moments\",\"weight\":0.6}],"
                + "\"relations\":[{\"from\":\"Unity\",\"to\":\"Difference\",\"type\":\"SUBLATES\",\"weight\":0.8,"
                + "\"rationale\":\"the whole keeps its moments\"}]}";
    }

    /** A protocol-faithful Messages API SSE body streaming {@code text} in {@code pieces} deltas. */
    public static String sse(String text, int pieces) {
        return sse(text, pieces, null);
    }

    /** As {@link #sse(String, int)}, but an {@code error} event of {@code errorType} replaces the end. */
    public static String sse(String text, int pieces, String errorType) {
        StringBuilder b = new StringBuilder();
        event(b, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_test\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\",\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":321,\"output_tokens\":1}}}");
        event(b, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"text\",\"text\":\"\"}}");
        event(b, "ping", "{\"type\":\"ping\"}");
        int size = Math.max(1, (text.length() + pieces - 1) / pieces);
        for (int i = 0; i < text.length(); i += size) {
            String piece = text.substring(i, Math.min(text.length(), i + size));
            event(b, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":" + json(piece) + "}}");
            if (errorType != null && i >= text.length() / 2) {
                event(b, "error", "{\"type\":\"error\",\"error\":{\"type\":\"" + errorType + "\",\"message\":\"Overloaded\"}}");
                return b.toString();
            }
        }
        event(b, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(b, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + (text.length() / 4 + 1) + "}}");
        event(b, "message_stop", "{\"type\":\"message_stop\"}");
        return b.toString();
    }

    public static ResponseDefinitionBuilder sseResponse(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                .withHeader("request-id", "req_" + UUID.randomUUID().toString().substring(0, 8))
                .withHeader("x-dialectica-stand-in", "true").withBody(body);
    }

    private static void event(StringBuilder b, String name, String data) {
        b.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
    }

    public static GenerationRequest theses(UUID jobId, UUID conceptId, int count) {
        return new GenerationRequest(1, jobId, JobType.THESES, "alice", List.of(conceptId), count, "en", null,
                Instant.now());
    }

    public static GenerationRequest synthesis(UUID jobId, List<UUID> concepts, String mode) {
        return new GenerationRequest(1, jobId, JobType.SYNTHESIS, "alice", concepts, 0, "en", mode, Instant.now());
    }

    public static void publish(GenerationRequest request) {
        publishRaw(request.jobId().toString(), json(request).getBytes(StandardCharsets.UTF_8));
    }

    public static void publishRaw(String key, byte[] value) {
        try {
            PRODUCER.send(new ProducerRecord<>(WorkerTestResource.topic("requests"), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void publishTo(String topic, String key, Object value) {
        try {
            PRODUCER.send(new ProducerRecord<>(topic, key, json(value).getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String json(Object o) {
        try {
            return TopicCollector.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
