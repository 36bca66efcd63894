package io.dialectica.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Kafka side: an idempotent producer (acks=all, one request in flight per broker connection) whose
 * first failed send closes it at once, so that no later record of the same partition can be written
 * after a lost one; the engine then restarts from the last committed offset and publishes again.
 */
final class Publisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Publisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final ObjectMapper mapper;
    private final List<String> topics;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    Publisher(CdcConfig config, ObjectMapper mapper) {
        this.mapper = mapper;
        this.topics = List.of(config.topics().conceptChanges(), config.topics().categoryChanges());
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "cdc-connector-" + config.slotName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.putAll(config.kafka().producer());
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends one change envelope; the future completes when Kafka acknowledged it. */
    Future<RecordMetadata> send(Envelopes.Outgoing outgoing) {
        return send(new ProducerRecord<>(outgoing.topic(), outgoing.key(), json(outgoing.envelope())));
    }

    /** Sends a watermark to every partition of both change topics (after everything sent before it). */
    List<Future<RecordMetadata>> sendWatermarks(ChangeEnvelope watermark) {
        byte[] value = json(watermark);
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (String topic : topics) {
            for (PartitionInfo partition : producer.partitionsFor(topic)) {
                futures.add(send(new ProducerRecord<>(topic, partition.partition(), null, value)));
            }
        }
        return futures;
    }

    /** The first send failure, if any: the producer is closed then and every later send fails too. */
    Exception failure() {
        return failure.get();
    }

    private Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return producer.send(record, (metadata, exception) -> {
            if (exception != null && failure.compareAndSet(null, exception)) {
                LOG.errorf(exception, "Kafka did not accept a record for %s; closing the producer", record.topic());
                producer.close(Duration.ZERO); // from the I/O thread: aborts everything not yet sent
            }
        });
    }

    private byte[] json(ChangeEnvelope envelope) {
        try {
            return mapper.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an envelope", e);
        }
    }

    static ChangeEnvelope watermark(long commitLsn, long txId, Instant commitTime) {
        return ChangeEnvelope.watermark(commitLsn, txId, commitTime, Instant.now());
    }

    /** Closes the producer at once; unsent records fail (see CdcEngine#abortProducer). */
    void abort() {
        failure.compareAndSet(null, new IllegalStateException("producer aborted"));
        producer.close(Duration.ZERO);
    }

    @Override
    public void close() {
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warn("closing the producer failed", e);
        }
    }
}
