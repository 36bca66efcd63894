package io.dialectica.concept.history;

import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.projection.ChangeGroupAssembler;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * concept-service's consumer of its own change topic ({@code dialectica.concept-changes}): a plain
 * {@link KafkaConsumer} on its own thread reassembles change groups ({@link ChangeGroupAssembler}, the consumer
 * algorithm of docs/events.md) and records each poll's complete groups as versions in one PostgreSQL transaction
 * ({@link HistoryRecorder}). Kafka offsets are committed only after that transaction, and only up to group
 * boundaries: a partition holding an incomplete run is committed at the run's first record.
 *
 * <p>When PostgreSQL fails, nothing is committed: every partition is read again from its last committed offset after
 * a backoff (200 ms doubling to 10 s). A crash resumes from the committed offsets; groups recorded after the last
 * commit come again and are repeats (their commit LSN is not above the concept's last version). The replicas of
 * concept-service share one consumer group: each records the partitions it is assigned.
 */
@ApplicationScoped
public class HistoryConsumer {

    private static final Logger LOG = Logger.getLogger(HistoryConsumer.class);

    public enum State { STARTING, RUNNING, RETRYING, STOPPED, DISABLED }

    private final HistoryConfig config;
    private final HistoryRecorder recorder;
    private final HistoryMetrics metrics;
    private final ChangeGroupAssembler assembler;
    /** Per partition: the offset of the first record of the open run (where a restart must read again). */
    private final Map<TopicPartition, Long> runStarts = new HashMap<>();
    /** Per partition: the offset committed (or the position at assignment): where a retry reads again. */
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    /** Offsets recorded but not committed because a rebalance was under way: committed before a partition goes. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

    private volatile State state = State.STARTING;
    private volatile boolean running;
    private volatile String lastError;
    private volatile int consecutiveFailures;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    public HistoryConsumer(HistoryConfig config, HistoryRecorder recorder, HistoryMetrics metrics) {
        this.config = config;
        this.recorder = recorder;
        this.metrics = metrics;
        this.assembler = new ChangeGroupAssembler(config.kafka().topic());
        metrics.droppedRuns(assembler::droppedRuns);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            state = State.DISABLED;
            LOG.info("history consumer disabled (dialectica.history.enabled=false)");
            return;
        }
        running = true;
        thread = new Thread(this::run, "concept-history");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (state != State.DISABLED) {
            state = State.STOPPED;
        }
    }

    public State state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    private void run() {
        Duration backoff = config.retryBackoff();
        while (running) {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(),
                    new StringDeserializer())) {
                consumer = c;
                c.subscribe(List.of(config.kafka().topic()), new Rebalance());
                state = State.RUNNING;
                LOG.infof("recording the history of concepts from %s (consumer group %s)", config.kafka().topic(),
                        config.kafka().groupId());
                while (running) {
                    ConsumerRecords<String, String> records = c.poll(config.kafka().pollTimeout());
                    if (records.isEmpty()) {
                        continue;
                    }
                    if (process(c, records)) {
                        backoff = config.retryBackoff();
                    } else {
                        seekBack(c);
                        backoff = pause(backoff);
                    }
                }
            } catch (WakeupException e) {
                if (running) {
                    LOG.error("history consumer woken up unexpectedly", e);
                }
            } catch (RuntimeException e) {
                if (running) {
                    failed("consuming " + config.kafka().topic(), e);
                    LOG.error("history consumer failed; starting it again", e);
                    backoff = pause(backoff);
                }
            } finally {
                consumer = null;
                committed.clear();
                runStarts.clear();
                uncommitted.clear();
            }
        }
        state = State.STOPPED;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafka().groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "concept-service-history-"
                + System.getenv().getOrDefault("HOSTNAME", Long.toString(ProcessHandle.current().pid())));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new consumer group records everything the topic still holds (what is older than a concept's baseline
        // or last version is skipped by its commit LSN)
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the cdc-connector owns the topic (and its partition count): concept-service starts first in the local stack,
        // and a consumer's metadata request must not create it with the broker's default of one partition
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafka().maxPollRecords());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        long session = config.kafka().sessionTimeout().toMillis();
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, session / 4));
        props.putAll(config.kafka().consumer());
        return props;
    }

    /** Records one poll; false when PostgreSQL failed (nothing recorded, nothing committed). */
    private boolean process(KafkaConsumer<String, String> c, ConsumerRecords<String, String> records) {
        List<ChangeGroup> groups = new ArrayList<>();
        Map<TopicPartition, Long> safeOffsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            long last = -1;
            for (ConsumerRecord<String, String> record : records.records(tp)) {
                last = record.offset();
                ChangeEnvelope envelope = read(record);
                if (envelope == null || envelope.isWatermark()) {
                    continue;
                }
                Optional<ChangeGroup> group = assembler.accept(tp.partition(), envelope);
                if (envelope.txIndex() == 0 && assembler.hasOpenRun(tp.partition())) {
                    runStarts.put(tp, record.offset());
                }
                group.ifPresent(groups::add);
            }
            if (assembler.hasOpenRun(tp.partition())) {
                Long start = runStarts.get(tp);
                if (start != null) {
                    safeOffsets.put(tp, start);
                }
            } else if (last >= 0) {
                runStarts.remove(tp);
                safeOffsets.put(tp, last + 1);
            }
        }
        if (!groups.isEmpty()) {
            try {
                HistoryRecorder.Result result = recorder.record(groups);
                metrics.recorded(result, Instant.now());
            } catch (Exception e) {
                metrics.storeFailure();
                failed("recording " + groups.size() + " change groups", e);
                return false;
            }
        }
        commit(c, safeOffsets);
        if (consecutiveFailures > 0) {
            LOG.infof("PostgreSQL accepts the history again after %d failed attempts", consecutiveFailures);
        }
        consecutiveFailures = 0;
        lastError = null;
        state = State.RUNNING;
        return true;
    }

    private ChangeEnvelope read(ConsumerRecord<String, String> record) {
        try {
            ChangeEnvelope envelope = HistoryJson.MAPPER.readValue(record.value(), ChangeEnvelope.class);
            if (envelope == null || envelope.kind() == null) {
                throw new IllegalArgumentException("not a change envelope");
            }
            if (!envelope.isWatermark()) {
                if (envelope.table() == null || envelope.op() == null || envelope.txSize() < 1 || envelope.key() == null) {
                    throw new IllegalArgumentException("not a change envelope");
                }
                UUID.fromString(envelope.key());
            }
            return envelope;
        } catch (Exception e) {
            metrics.unreadableRecord();
            LOG.warnf("skipping unreadable record %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return null;
        }
    }

    private void commit(KafkaConsumer<String, String> c, Map<TopicPartition, Long> safeOffsets) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        safeOffsets.forEach((tp, offset) -> {
            Long done = committed.get(tp);
            if (done == null || offset > done) {
                offsets.put(tp, new OffsetAndMetadata(offset));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        try {
            c.commitSync(offsets);
            offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
            offsets.keySet().forEach(uncommitted::remove);
        } catch (WakeupException e) {
            throw e;
        } catch (RebalanceInProgressException e) {
            uncommitted.putAll(offsets);
        } catch (RuntimeException e) {
            // the groups are recorded; their re-delivery to the next owner is a repeat
            LOG.warnf("committing offsets failed (the versions are recorded; a re-delivery is skipped): %s",
                    e.getMessage());
        }
    }

    /** Reads every partition again from its last committed offset, runs and all. */
    private void seekBack(KafkaConsumer<String, String> c) {
        for (TopicPartition tp : c.assignment()) {
            Long offset = committed.get(tp);
            if (offset != null) {
                c.seek(tp, offset);
            }
            assembler.forget(tp.partition());
            runStarts.remove(tp);
        }
    }

    private void failed(String what, Exception e) {
        consecutiveFailures++;
        lastError = what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        if (state == State.RUNNING) {
            state = State.RETRYING;
        }
        if (consecutiveFailures == 1 || consecutiveFailures % 20 == 0) {
            LOG.warnf("%s failed (attempt %d), trying again: %s", what, consecutiveFailures, lastError);
        }
    }

    private Duration pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        Duration next = backoff.multipliedBy(2);
        return next.compareTo(config.retryBackoffMax()) > 0 ? config.retryBackoffMax() : next;
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                committed.put(tp, consumer.position(tp));
                assembler.forget(tp.partition());
                runStarts.remove(tp);
            }
            if (!partitions.isEmpty()) {
                LOG.infof("history: assigned %s", partitions);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> last = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = uncommitted.remove(tp);
                if (o != null) {
                    last.put(tp, o);
                }
            }
            if (!last.isEmpty()) {
                try {
                    consumer.commitSync(last);
                } catch (RuntimeException e) {
                    LOG.debugf("offsets of revoked partitions not committed (their next owner skips the repeats): %s",
                            e.getMessage());
                }
            }
            for (TopicPartition tp : partitions) {
                committed.remove(tp);
                assembler.forget(tp.partition());
                runStarts.remove(tp);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(uncommitted::remove);
            onPartitionsRevoked(partitions);
        }
    }
}
