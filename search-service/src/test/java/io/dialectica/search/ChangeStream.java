package io.dialectica.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes synthetic change envelopes into this run's topics, as the cdc-connector would: one transaction =
 * a group per key (concept topic) plus one group per category row (category topic), then watermarks to every
 * partition of both topics.
 */
public final class ChangeStream implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Synthetic LSNs start low: a reindex snapshot (the real WAL position) is above them all. */
    private static final AtomicLong LSN = new AtomicLong(1_000);

    private final KafkaProducer<String, String> producer;

    public ChangeStream() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SearchTestStack.KAFKA,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    public static long nextLsn() {
        return LSN.addAndGet(1_000);
    }

    public static String token(long lsn) {
        return Lsn.format(lsn);
    }

    /** One row change of a transaction; the key and the group position are filled in by {@link Tx}. */
    public record Row(String table, Operation op, Map<String, Object> before, Map<String, Object> after) {
    }

    /** A source transaction: groups per key, in the order added. */
    public final class Tx {
        final long commitLsn;
        final Instant commitTime = Instant.now();
        final Map<String, List<Row>> concepts = new LinkedHashMap<>();
        final Map<String, List<Row>> categories = new LinkedHashMap<>();

        Tx(long commitLsn) {
            this.commitLsn = commitLsn;
        }

        public Tx concept(String conceptId, Row row) {
            concepts.computeIfAbsent(conceptId, k -> new ArrayList<>()).add(row);
            return this;
        }

        public Tx category(String categoryId, Row row) {
            categories.computeIfAbsent(categoryId, k -> new ArrayList<>()).add(row);
            return this;
        }

        public long lsn() {
            return commitLsn;
        }

        /** Sends every group, then watermarks at this LSN to every partition; returns the commit LSN. */
        public long send() {
            sendGroups();
            watermarks(commitLsn);
            return commitLsn;
        }

        public void sendGroups() {
            int events = concepts.values().stream().mapToInt(List::size).sum()
                    + categories.values().stream().mapToInt(List::size).sum();
            concepts.forEach((key, rows) -> sendGroup(SearchTestStack.CONCEPT_TOPIC, key, rows, events, rows.size()));
            categories.forEach((key, rows) -> sendGroup(SearchTestStack.CATEGORY_TOPIC, key, rows, events, rows.size()));
            producer.flush();
        }

        /** Only the first {@code count} envelopes of one key's group: an interrupted run. */
        public void sendPrefix(String conceptKey, int count) {
            List<Row> rows = concepts.get(conceptKey);
            sendGroup(SearchTestStack.CONCEPT_TOPIC, conceptKey, rows, rows.size(), count);
            producer.flush();
        }

        private void sendGroup(String topic, String key, List<Row> rows, int events, int count) {
            for (int i = 0; i < count; i++) {
                Row row = rows.get(i);
                ChangeEnvelope envelope = ChangeEnvelope.change(row.table(), row.op(), key, row.before(), row.after(),
                        commitLsn - 500 + i, commitLsn, commitLsn / 1000, commitTime, i, rows.size(), events, false,
                        Instant.now());
                ChangeStream.this.send(topic, null, key, envelope);
            }
        }
    }

    public Tx tx() {
        return new Tx(nextLsn());
    }

    /** A transaction with an old commit LSN: what a re-delivery looks like. */
    public Tx replay(long commitLsn) {
        return new Tx(commitLsn);
    }

    public void watermarks(long lsn) {
        ChangeEnvelope watermark = ChangeEnvelope.watermark(lsn, lsn / 1000, Instant.now(), Instant.now());
        for (String topic : List.of(SearchTestStack.CONCEPT_TOPIC, SearchTestStack.CATEGORY_TOPIC)) {
            for (int p = 0; p < SearchTestStack.PARTITIONS; p++) {
                send(topic, p, null, watermark);
            }
        }
        producer.flush();
    }

    private void send(String topic, Integer partition, String key, ChangeEnvelope envelope) {
        try {
            producer.send(new ProducerRecord<>(topic, partition, key, JSON.writeValueAsString(envelope))).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    // ---- rows ---------------------------------------------------------------------------------------

    public static String id() {
        return UUID.randomUUID().toString();
    }

    public static Map<String, Object> concept(String id, String owner, String name, String description,
            String tradition, String visibility, long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("owner", owner);
        row.put("name", name);
        row.put("description", description);
        row.put("tradition", tradition);
        row.put("visibility", visibility);
        row.put("quality_score", 0.5);
        row.put("version", version);
        row.put("created_at", "2026-01-01T00:00:00.000001Z");
        row.put("updated_at", Instant.now().toString());
        return row;
    }

    public static Map<String, Object> category(String id, String name, String description) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("canonical_name", name.toLowerCase());
        row.put("description", description);
        row.put("created_at", "2026-01-01T00:00:00.000001Z");
        return row;
    }

    public static Map<String, Object> membership(String id, String conceptId, String categoryId, double weight) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("concept_id", conceptId);
        row.put("category_id", categoryId);
        row.put("weight", weight);
        row.put("x", 0.0);
        row.put("y", 0.0);
        return row;
    }

    public static Map<String, Object> relation(String id, String conceptId, String from, String to, String type,
            String rationale) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("concept_id", conceptId);
        row.put("from_category_id", from);
        row.put("to_category_id", to);
        row.put("type", type);
        row.put("weight", 0.5);
        row.put("rationale", rationale);
        return row;
    }

    public static Row insert(String table, Map<String, Object> after) {
        return new Row(table, Operation.CREATE, null, after);
    }

    public static Row update(String table, Map<String, Object> before, Map<String, Object> after) {
        return new Row(table, Operation.UPDATE, before, after);
    }

    public static Row delete(String table, Map<String, Object> before) {
        return new Row(table, Operation.DELETE, before, null);
    }

    public static final String CONCEPTS = Tables.CONCEPTS;
    public static final String CATEGORIES = Tables.CATEGORIES;
    public static final String MEMBERSHIPS = Tables.CONCEPT_CATEGORIES;
    public static final String RELATIONS = Tables.CONCEPT_RELATIONS;
}
