package io.dialectica.worker.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.worker.config.WorkerConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Publishes on the generation topics (key = job id): progress events fire-and-forget (a lost progress
 * event is harmless), results and dead letters synchronously, acknowledged by all in-sync replicas,
 * before the request's offset may be committed.
 */
@ApplicationScoped
public class EventPublisher {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper mapper;
    private final WorkerConfig.Kafka config;
    private final KafkaProducer<String, byte[]> producer;

    public EventPublisher(ObjectMapper mapper, WorkerConfig config) {
        this.mapper = mapper;
        this.config = config.kafka();
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.config.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "claude-worker-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        props.putAll(this.config.producer());
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10));
    }

    public void progress(JobEvent event) {
        try {
            producer.send(new ProducerRecord<>(config.progressTopic(), event.jobId().toString(), json(event)),
                    (md, e) -> {
                        if (e != null) {
                            LOG.debugf("progress event of job %s not published: %s", event.jobId(), e.getMessage());
                        }
                    });
        } catch (RuntimeException e) {
            LOG.debugf("progress event of job %s not published: %s", event.jobId(), e.getMessage());
        }
    }

    /** Publishes a result and waits for Kafka's acknowledgement. */
    public void result(GenerationResult result) {
        sendAndWait(new ProducerRecord<>(config.resultsTopic(), result.jobId().toString(), json(result)));
    }

    /** The original record, unchanged, with the reason and its origin in headers. */
    public void deadLetter(String key, byte[] value, String reason, String topic, int partition, long offset) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.deadLetterTopic(), null, key, value,
                List.of(header("dialectica-error", reason), header("dialectica-source-topic", topic),
                        header("dialectica-source-partition", String.valueOf(partition)),
                        header("dialectica-source-offset", String.valueOf(offset))));
        sendAndWait(record);
    }

    private void sendAndWait(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(SEND_TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailed("interrupted while publishing to " + record.topic(), e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            throw new PublishFailed("publishing to " + record.topic() + " failed: " + e.getMessage(), e);
        }
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }

    private byte[] json(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static final class PublishFailed extends RuntimeException {
        public PublishFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
