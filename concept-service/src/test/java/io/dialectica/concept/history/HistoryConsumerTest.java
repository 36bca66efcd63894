package io.dialectica.concept.history;

import io.dialectica.concept.rest.Database;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.projection.ChangeGroup;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static io.dialectica.concept.history.Groups.CATEGORIES;
import static io.dialectica.concept.history.Groups.CONCEPTS;
import static io.dialectica.concept.history.Groups.MEMBERS;
import static io.dialectica.concept.history.Groups.category;
import static io.dialectica.concept.history.Groups.concept;
import static io.dialectica.concept.history.Groups.member;
import static io.dialectica.concept.history.Groups.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer on a real Kafka topic, fed the envelopes the cdc-connector would publish, with every kind of
 * re-delivery the contract allows (docs/events.md): a group cut off by a connector crash and published again from
 * txIndex 0, whole groups published again, the whole topic replayed, an unreadable record. Each change is recorded
 * once; the repeats are counted and change nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = HistoryKafkaResource.class, restrictToAnnotatedClass = true)
class HistoryConsumerTest {

    @Inject
    Database database;

    @Inject
    HistoryMetrics metrics;

    @Inject
    HistoryConsumer consumer;

    final List<ProducerRecord<String, String>> sent = new ArrayList<>();

    @Test
    void everyChangeIsRecordedOnceWhateverIsDeliveredAgain() throws Exception {
        UUID id = UUID.randomUUID();
        UUID thesis = UUID.randomUUID();
        Map<String, Object> v1 = concept(id, "alice", "Streamed", null, null, "PRIVATE", 0.2, 1, "alice");
        Map<String, Object> v2 = with(v1, "name", "Streamed again", "version", 2L);
        Map<String, Object> v3 = with(v2, "version", 3L, "changed_by", "root");
        Map<String, Object> m = member(UUID.randomUUID(), id, thesis, 0.5, 0, 0);
        ChangeGroup a = Groups.of(id, 10_000).insert(CATEGORIES, category(thesis, "Thesis", null))
                .insert(CONCEPTS, v1).insert(MEMBERS, m).group();
        ChangeGroup b = Groups.of(id, 20_000).update(MEMBERS, m, with(m, "weight", 0.75))
                .update(CONCEPTS, v1, v2).group();
        ChangeGroup c = Groups.of(id, 30_000).update(CONCEPTS, v2, v3).group();

        long repeatsBefore = metrics.repeatsSkipped();
        long unreadableBefore = metrics.unreadable();
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, a.changes());
            send(producer, b.changes().subList(0, 1));     // the connector crashed in the middle of b ...
            send(producer, b.changes());                   // ... and published it again from txIndex 0
            send(producer, a.changes());                   // a re-delivery of a whole group
            sendRaw(producer, id.toString(), "{not an envelope");
            send(producer, List.of(ChangeEnvelope.watermark(25_000, 1, Instant.now(), Instant.now())));
            send(producer, c.changes());
            producer.flush();

            await(() -> count(id) == 3 && metrics.repeatsSkipped() >= repeatsBefore + 1, "three versions and a repeat");
            assertEquals("1|CREATED|alice,2|CHANGED|alice,3|CHANGED|root", versions(id));
            assertEquals(repeatsBefore + 1, metrics.repeatsSkipped());
            assertEquals(unreadableBefore + 1, metrics.unreadable());
            String recorded = rows(id);

            // everything again, as a consumer whose offsets were reset would read it
            List<ProducerRecord<String, String>> all = List.copyOf(sent);
            for (ProducerRecord<String, String> record : all) {
                producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()));
            }
            producer.flush();
            // a, b and c repeat; the first a repeats too (it is in the replay once more)
            await(() -> metrics.repeatsSkipped() >= repeatsBefore + 1 + 4, "the replay read");
            assertEquals(recorded, rows(id));
            assertEquals(3, count(id));
        }
        assertEquals(HistoryConsumer.State.RUNNING, consumer.state());
        assertTrue(metrics.lagMs() >= 0);
    }

    long count(UUID id) {
        return database.count("select count(*) from concept_versions where concept_id = '" + id + "'");
    }

    String versions(UUID id) {
        return database.text("select string_agg(concat_ws('|', version, kind, changed_by), ',' order by commit_lsn) "
                + "from concept_versions where concept_id = '" + id + "'");
    }

    String rows(UUID id) {
        return database.text("select string_agg(concat_ws('|', commit_lsn, version, kind, changed_by, changes::text, "
                + "state::text, recorded_at), E'\\n' order by commit_lsn) from concept_versions where concept_id = '" + id + "'");
    }

    KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, HistoryKafkaResource.BOOTSTRAP,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer());
    }

    void send(KafkaProducer<String, String> producer, List<ChangeEnvelope> envelopes) throws Exception {
        for (ChangeEnvelope e : envelopes) {
            // a watermark goes to the concept's partition too (the connector sends one to every partition)
            String key = e.key() != null ? e.key() : sent.get(sent.size() - 1).key();
            sendRaw(producer, key, HistoryJson.MAPPER.writeValueAsString(e));
        }
    }

    void sendRaw(KafkaProducer<String, String> producer, String key, String value) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(HistoryKafkaResource.TOPIC, key, value);
        producer.send(record).get();
        sent.add(record);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
