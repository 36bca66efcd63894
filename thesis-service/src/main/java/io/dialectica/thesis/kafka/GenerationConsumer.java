package io.dialectica.thesis.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.thesis.config.ThesisConfig;
import io.dialectica.thesis.service.JobTransitions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Consumes what claude-worker reports (consumer group {@code dialectica.thesis.kafka.group}, shared by
 * the replicas): progress events, results and dead letters, each applied in its own transaction
 * ({@link JobTransitions}). Offsets are committed after the records were applied: a crash re-applies
 * some, which changes nothing (terminal jobs are never changed again; progress only moves forward).
 * A record that cannot be read is logged and skipped; a database failure stops the partition at that
 * record and retries it after a pause, so nothing is skipped because PostgreSQL was briefly away.
 */
@ApplicationScoped
public class GenerationConsumer {

    private static final Logger LOG = Logger.getLogger(GenerationConsumer.class);
    private static final String ERROR_HEADER = "dialectica-error";

    @Inject
    ThesisConfig config;

    @Inject
    JobTransitions transitions;

    @Inject
    OutboxRelay relay;

    @Inject
    ObjectMapper mapper;

    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Instant lastPoll;
    private volatile int assigned;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        if (!config.kafka().consumerEnabled()) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "thesis-generation-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** When the consumer last returned from a poll (readiness), or null before the first. */
    public Instant lastPoll() {
        return lastPoll;
    }

    /** Partitions of the three topics this replica consumes now. */
    public int assignedPartitions() {
        return assigned;
    }

    public boolean enabled() {
        return running;
    }

    private void loop() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafka().group());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "thesis-service-" + UUID.randomUUID().toString().substring(0, 8));
        props.putAll(config.kafka().consumer());
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = c;
                c.subscribe(List.of(config.kafka().progressTopic(), config.kafka().resultsTopic(),
                        config.kafka().deadLetterTopic()), new ConsumerRebalanceListener() {
                            @Override
                            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                                assigned = 0;
                            }

                            @Override
                            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                                assigned = c.assignment().size();
                            }
                        });
                while (running) {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                    lastPoll = Instant.now();
                    if (!records.isEmpty()) {
                        handle(c, records);
                    }
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                LOG.warnf("generation consumer failed (%s); restarting in 2 s", e.toString());
                pause(2000);
            }
        }
    }

    private void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean failed = false;
        boolean wrote = false;
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
                try {
                    wrote |= apply(record);
                    done.put(tp, new OffsetAndMetadata(record.offset() + 1));
                } catch (Throwable e) {
                    LOG.warnf("applying %s-%d@%d failed (%s); retrying it shortly", record.topic(),
                            record.partition(), record.offset(), e.toString());
                    c.seek(tp, record.offset());
                    failed = true;
                    break;
                }
            }
        }
        if (wrote) {
            relay.wake();
        }
        if (!done.isEmpty()) {
            c.commitSync(done);
        }
        if (failed) {
            pause(1000);
        }
    }

    /** Applies one record; true when it wrote outbox rows. */
    private boolean apply(ConsumerRecord<String, byte[]> record) throws Throwable {
        String topic = record.topic();
        if (topic.equals(config.kafka().progressTopic())) {
            if (fromUs(record)) {
                return false; // our own QUEUED/CANCELLED/SUCCEEDED/FAILED events
            }
            JobEvent event = read(record, JobEvent.class);
            return event != null && await(() -> transitions.progress(event));
        }
        if (topic.equals(config.kafka().resultsTopic())) {
            GenerationResult result = read(record, GenerationResult.class);
            if (result == null || result.jobId() == null) {
                return false;
            }
            return await(() -> transitions.result(result));
        }
        if (topic.equals(config.kafka().deadLetterTopic())) {
            UUID jobId = deadLetterJob(record);
            if (jobId == null) {
                LOG.warnf("dead letter %s-%d@%d names no job; ignored", topic, record.partition(), record.offset());
                return false;
            }
            String reason = header(record, ERROR_HEADER);
            return await(() -> transitions.deadLetter(jobId, reason));
        }
        return false;
    }

    private static boolean fromUs(ConsumerRecord<String, byte[]> record) {
        return OutboxRelay.PRODUCER.equals(header(record, OutboxRelay.PRODUCER_HEADER));
    }

    private static boolean await(Supplier<Uni<Boolean>> work) throws Throwable {
        Boolean wrote = VertxContextSupport.subscribeAndAwait(work);
        return Boolean.TRUE.equals(wrote);
    }

    private <T> T read(ConsumerRecord<String, byte[]> record, Class<T> type) {
        try {
            return mapper.readerFor(type)
                    .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(record.value());
        } catch (Exception e) {
            LOG.warnf("unreadable %s at %s-%d@%d skipped: %s", type.getSimpleName(), record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    /** The dead letter is the original request, maybe unreadable: its key is the job id, else its jobId field. */
    private UUID deadLetterJob(ConsumerRecord<String, byte[]> record) {
        UUID fromKey = uuid(record.key());
        if (fromKey != null) {
            return fromKey;
        }
        try {
            JsonNode node = mapper.readTree(record.value());
            return node == null ? null : uuid(node.path("jobId").asText(null));
        } catch (Exception e) {
            return null;
        }
    }

    private static UUID uuid(String text) {
        try {
            return text == null ? null : UUID.fromString(text.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
