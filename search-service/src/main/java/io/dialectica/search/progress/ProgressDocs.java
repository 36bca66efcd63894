package io.dialectica.search.progress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The applied position of each topic-partition, kept as a document in the concept index itself
 * ({@code _id = _progress:<topic>:<partition>}, {@code kind = progress}, external version = the position), so
 * that every replica reads the one truth from the store (README, "Read-your-writes").
 *
 * <p>A position P of partition p means: every change group of p with commit LSN ≤ P is in the index. The projector
 * writes the progress documents of a poll only after the {@code _bulk} of its groups was acknowledged without a
 * failed item, so a progress document is never indexed before the documents it covers; a refresh that makes it
 * visible therefore makes them visible too (one shard, indexed earlier). A token read asks for the progress
 * documents in the same request as its query (a {@code global} aggregation): they come from the very searcher that
 * answers the query, so the answer is checked, not assumed.
 *
 * <p>Not visible to queries: they have no {@code visibility} field, which every search and suggestion requires.
 */
public final class ProgressDocs {

    public static final String KIND = "progress";
    private static final String AGGREGATION = "_progress";
    /** More partitions than any topic here has (6 by default); OpenSearch's top_hits limit is 100. */
    private static final int MAX_DOCS = 100;

    private ProgressDocs() {
    }

    /** One partition's position; {@code partitions} = how many partitions its topic has (as the writer saw it). */
    public record Position(String topic, int partition, int partitions, long lsn) {
    }

    public static String id(String topic, int partition) {
        return "_progress:" + topic + ":" + partition;
    }

    public static ObjectNode source(ObjectMapper mapper, Position position, String writer) {
        ObjectNode doc = mapper.createObjectNode();
        doc.put("kind", KIND).put("topic", position.topic()).put("partition", position.partition())
                .put("partitions", position.partitions()).put("position", position.lsn()).put("writer", writer)
                .put("writtenAt", Instant.now().toString());
        return doc;
    }

    /** Adds the aggregation that returns every progress document of the searcher that runs the query. */
    public static void addAggregation(ObjectMapper mapper, ObjectNode searchBody) {
        ObjectNode aggs = searchBody.has("aggs") ? (ObjectNode) searchBody.get("aggs") : searchBody.putObject("aggs");
        ObjectNode global = aggs.putObject(AGGREGATION);
        global.putObject("global");
        ObjectNode docs = global.putObject("aggs").putObject("docs");
        docs.putObject("filter").putObject("term").put("kind", KIND);
        ObjectNode top = docs.putObject("aggs").putObject("top").putObject("top_hits");
        top.put("size", MAX_DOCS);
        top.putArray("_source").add("topic").add("partition").add("partitions").add("position");
    }

    /** The progress documents a search answer carries (see {@link #addAggregation}). */
    public static List<Position> fromAggregation(JsonNode searchAnswer) {
        List<Position> result = new ArrayList<>();
        for (JsonNode hit : searchAnswer.path("aggregations").path(AGGREGATION).path("docs").path("top").path("hits")
                .path("hits")) {
            Position p = parse(hit.path("_source"));
            if (p != null) {
                result.add(p);
            }
        }
        return result;
    }

    /** Documents of an {@code _mget} or {@code _search} answer (realtime or not). */
    public static List<Position> fromDocs(Iterable<JsonNode> docs) {
        List<Position> result = new ArrayList<>();
        for (JsonNode doc : docs) {
            if (doc.has("found") && !doc.path("found").asBoolean(false)) {
                continue;
            }
            Position p = parse(doc.path("_source"));
            if (p != null) {
                result.add(p);
            }
        }
        return result;
    }

    static Position parse(JsonNode source) {
        if (!KIND.equals(source.path("kind").asText(KIND)) || !source.hasNonNull("topic")
                || !source.hasNonNull("position")) {
            return null;
        }
        return new Position(source.path("topic").asText(), source.path("partition").asInt(),
                source.path("partitions").asInt(0), source.path("position").asLong());
    }

    /**
     * The low watermark these documents prove: the minimum position over every partition of every topic, where a
     * topic has as many partitions as the most any source says ({@code known} or the documents). A partition
     * without a document, or a topic whose partition count is unknown, makes it 0.
     */
    public static long low(Collection<Position> docs, Collection<String> topics, Map<String, Integer> known) {
        Map<String, Integer> counts = new HashMap<>(known);
        Map<String, Map<Integer, Long>> byTopic = new HashMap<>();
        for (Position p : docs) {
            counts.merge(p.topic(), p.partitions(), Math::max);
            byTopic.computeIfAbsent(p.topic(), t -> new HashMap<>()).merge(p.partition(), p.lsn(), Math::max);
        }
        long low = Long.MAX_VALUE;
        for (String topic : topics) {
            int count = counts.getOrDefault(topic, 0);
            if (count <= 0) {
                return 0;
            }
            Map<Integer, Long> positions = byTopic.getOrDefault(topic, Map.of());
            for (int p = 0; p < count; p++) {
                Long lsn = positions.get(p);
                if (lsn == null) {
                    return 0;
                }
                low = Math.min(low, lsn);
            }
        }
        return low == Long.MAX_VALUE ? 0 : low;
    }
}
