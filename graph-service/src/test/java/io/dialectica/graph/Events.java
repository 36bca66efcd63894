package io.dialectica.graph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Operation;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Synthetic change envelopes, as the cdc-connector writes them (docs/events.md), produced into the
 * run's own topics with Kafka's default partitioner on the key. Commit LSNs come from one increasing
 * counter; every id the tests use is remembered so that their nodes can be removed afterwards.
 */
final class Events implements AutoCloseable {

    private static final AtomicLong LSN = new AtomicLong(0x1_0000_0000L);
    static final Set<String> IDS = ConcurrentHashMap.newKeySet();

    final String conceptTopic;
    final String categoryTopic;
    private final ObjectMapper mapper;
    private final KafkaProducer<String, String> producer;

    Events(ObjectMapper mapper, String conceptTopic, String categoryTopic) {
        this.mapper = mapper;
        this.conceptTopic = conceptTopic;
        this.categoryTopic = categoryTopic;
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, GraphTestStack.KAFKA,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new StringSerializer());
    }

    static long nextLsn() {
        return LSN.addAndGet(0x100);
    }

    static String id() {
        String id = UUID.randomUUID().toString();
        IDS.add(id);
        return id;
    }

    /** A change group under a concept's key. */
    Group concept(String conceptId) {
        return new Group(conceptTopic, conceptId);
    }

    /** A change group under a category's key (the category topic). */
    Group category(String categoryId) {
        return new Group(categoryTopic, categoryId);
    }

    /** A watermark in every partition of both topics. */
    void watermarks(long lsn) {
        Instant now = Instant.now();
        for (String topic : List.of(conceptTopic, categoryTopic)) {
            for (int p = 0; p < GraphTestStack.PARTITIONS; p++) {
                send(new ProducerRecord<>(topic, p, null, json(ChangeEnvelope.watermark(lsn, 1, now, now))));
            }
        }
        producer.flush();
    }

    void send(String topic, String key, List<ChangeEnvelope> envelopes) {
        for (ChangeEnvelope e : envelopes) {
            send(new ProducerRecord<>(topic, key, json(e)));
        }
        producer.flush();
    }

    private void send(ProducerRecord<String, String> record) {
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending to " + record.topic() + " failed", e);
        }
    }

    private String json(ChangeEnvelope e) {
        try {
            return mapper.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    /** One source transaction's changes under one key. */
    final class Group {
        private record Change(String table, Operation op, Map<String, Object> before, Map<String, Object> after) {
        }

        final String topic;
        final String key;
        private final List<Change> changes = new ArrayList<>();

        private Group(String topic, String key) {
            this.topic = topic;
            this.key = key;
        }

        Group insert(String table, Map<String, Object> row) {
            changes.add(new Change(table, Operation.CREATE, null, row));
            return this;
        }

        Group snapshot(String table, Map<String, Object> row) {
            changes.add(new Change(table, Operation.READ, null, row));
            return this;
        }

        Group update(String table, Map<String, Object> before, Map<String, Object> after) {
            changes.add(new Change(table, Operation.UPDATE, before, after));
            return this;
        }

        Group delete(String table, Map<String, Object> row) {
            changes.add(new Change(table, Operation.DELETE, row, null));
            return this;
        }

        /** The group's envelopes at this commit LSN. */
        List<ChangeEnvelope> envelopes(long commitLsn) {
            Instant commit = Instant.now();
            List<ChangeEnvelope> out = new ArrayList<>();
            for (int i = 0; i < changes.size(); i++) {
                Change c = changes.get(i);
                out.add(ChangeEnvelope.change(c.table(), c.op(), key, c.before(), c.after(), commitLsn - 0x80 + i,
                        commitLsn, commitLsn / 0x100, commit, i, changes.size(), changes.size(),
                        c.op() == Operation.READ, commit));
            }
            return out;
        }

        /** Sends the whole group at a new commit LSN and returns it. */
        long send() {
            long lsn = nextLsn();
            send(lsn);
            return lsn;
        }

        void send(long commitLsn) {
            Events.this.send(topic, key, envelopes(commitLsn));
        }
    }

    // ---- rows, as PostgreSQL's columns -----------------------------------------------------------

    static Map<String, Object> concept(String id, String owner, String name, String visibility) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("owner", owner);
        row.put("name", name);
        row.put("description", "About " + name);
        row.put("tradition", "Hegelian");
        row.put("visibility", visibility);
        row.put("quality_score", 0.5);
        row.put("version", 1);
        row.put("created_at", "2026-11-23T08:16:58.123456Z");
        row.put("updated_at", "2026-11-23T08:16:58.123456Z");
        return row;
    }

    static Map<String, Object> with(Map<String, Object> row, String column, Object value) {
        Map<String, Object> copy = new HashMap<>(row);
        copy.put(column, value);
        return copy;
    }

    static Map<String, Object> category(String id, String name) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("canonical_name", name.toLowerCase());
        row.put("description", null);
        row.put("created_at", "2026-11-23T08:16:58.123456Z");
        return row;
    }

    static Map<String, Object> membership(String id, String conceptId, String categoryId, double weight) {
        return new HashMap<>(Map.of("id", id, "concept_id", conceptId, "category_id", categoryId, "weight", weight,
                "x", 10.0, "y", 20.0));
    }

    static Map<String, Object> relation(String id, String conceptId, String from, String to, String type,
            double weight) {
        Map<String, Object> row = new HashMap<>(Map.of("id", id, "concept_id", conceptId, "from_category_id", from,
                "to_category_id", to, "type", type, "weight", weight));
        row.put("rationale", type + " because");
        return row;
    }
}
