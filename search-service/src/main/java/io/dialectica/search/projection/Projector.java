package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.projection.ChangeGroupAssembler;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.Indexes;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.service.SearchCache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The projection: one thread, one {@link KafkaConsumer} on both change topics (docs/events.md, consumer
 * algorithm).
 *
 * <p>Per poll: complete groups go to OpenSearch in one bulk (retried with backoff until OpenSearch takes it —
 * never skipped); then the offsets are committed, only at group boundaries; then, once a refresh has made the
 * writes searchable, the positions are published to {@link ProjectionProgress} (so a reader whose token is
 * covered finds its write) and the cache generation is bumped. A kill -9 at any moment re-delivers at most
 * the groups after the last commit, which are repeats for OpenSearch (external versions).
 *
 * <p>Everything that touches the write targets (a rebuild adding an index, the alias swap) runs on this thread
 * between two polls, through {@link #onProjectorThread}.
 */
@ApplicationScoped
public class Projector {

    private static final Logger LOG = Logger.getLogger(Projector.class);

    private final SearchConfig config;
    private final ObjectMapper mapper;
    private final OpenSearch os;
    private final Indexes indexes;
    private final BatchWriter writer;
    private final ProjectionProgress progress;
    private final ProjectionMetrics metrics;
    private final SearchCache cache;

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Map<String, ChangeGroupAssembler> assemblers = new HashMap<>();
    /** Next offset to commit per partition: after the last record that left no open run behind. */
    private final Map<TopicPartition, Long> safeOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    // positions waiting for a refresh before they are published
    private final Map<TopicPartition, Long> pendingPositions = new LinkedHashMap<>();
    private final Map<String, Long> pendingKeys = new LinkedHashMap<>();
    private final List<Instant> pendingCommits = new ArrayList<>();
    private Instant pendingNewest;
    private long pendingSince;
    private boolean unrefreshed;

    private volatile BatchWriter.Targets targets;
    /** Partitions of both topics this instance is assigned, and how many the topics have. */
    private final java.util.Set<TopicPartition> assigned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile int totalPartitions = -1;
    private volatile boolean running;
    private volatile boolean consuming;
    private volatile String lastError;
    private volatile Thread thread;
    private KafkaConsumer<String, byte[]> consumer;
    private long droppedRunsSeen;

    public Projector(SearchConfig config, ObjectMapper mapper, OpenSearch os, Indexes indexes, BatchWriter writer,
            ProjectionProgress progress, ProjectionMetrics metrics, SearchCache cache) {
        this.config = config;
        this.mapper = mapper;
        this.os = os;
        this.indexes = indexes;
        this.writer = writer;
        this.progress = progress;
        this.metrics = metrics;
        this.cache = cache;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.consumer().enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "search-projector");
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() {
        running = false;
        Thread t = thread;
        if (t == null) {
            return;
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            t.join(5_000);
            if (t.isAlive()) {
                // asleep in a retry backoff
                t.interrupt();
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** True once the indexes exist and the consumer polls. */
    public boolean isConsuming() {
        return consuming;
    }

    /**
     * True when this instance consumes every partition of both topics: only then does the low watermark cover
     * the whole stream (docs/events.md). During a rebalance or a rolling update, two instances split the
     * partitions; token reads then wait (and 504) rather than answer from half the stream.
     */
    public boolean ownsAllPartitions() {
        int total = totalPartitions;
        return total > 0 && assigned.size() == total;
    }

    public String lastError() {
        return lastError;
    }

    public BatchWriter.Targets targets() {
        return targets;
    }

    /**
     * Runs {@code action} on the projector thread between two polls (no batch in flight), or right here when the
     * projector does not run. The future fails with what the action threw.
     */
    public <T> CompletableFuture<T> onProjectorThread(Callable<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable command = () -> {
            try {
                result.complete(action.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        };
        if (!isRunning() || Thread.currentThread() == thread) {
            command.run();
        } else {
            commands.add(command);
            if (!isRunning() && commands.remove(command)) {
                command.run();
            }
        }
        return result;
    }

    /** For a rebuild: every later write goes to {@code index} too. Call through {@link #onProjectorThread}. */
    public void addTarget(String index) {
        targets = current().with(index);
    }

    /** After the alias swap: {@code index} is the live index and the only target. */
    public void setLive(String index) {
        targets = BatchWriter.Targets.of(index);
    }

    /** Drops an extra target (a failed rebuild). */
    public void removeTarget(String index) {
        BatchWriter.Targets t = current();
        List<String> all = new ArrayList<>(t.all());
        all.remove(index);
        targets = new BatchWriter.Targets(t.live(), List.copyOf(all));
    }

    private BatchWriter.Targets current() {
        BatchWriter.Targets t = targets;
        if (t == null) {
            t = BatchWriter.Targets.of(indexes.ensure());
            targets = t;
        }
        return t;
    }

    // ------------------------------------------------------------------------------------------------

    private void run() {
        Duration backoff = config.consumer().retryBackoff();
        while (running && targets == null) {
            try {
                targets = BatchWriter.Targets.of(indexes.ensure());
            } catch (RuntimeException e) {
                lastError = "preparing the indexes: " + e.getMessage();
                LOG.warnf("cannot prepare the indexes yet (%s); retrying in %d ms", e.getMessage(), backoff.toMillis());
                sleep(backoff);
                backoff = nextBackoff(backoff);
            }
        }
        String conceptTopic = config.topics().conceptChanges();
        String categoryTopic = config.topics().categoryChanges();
        assemblers.put(conceptTopic, new ChangeGroupAssembler(conceptTopic));
        assemblers.put(categoryTopic, new ChangeGroupAssembler(categoryTopic));
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProperties())) {
            consumer = c;
            c.subscribe(List.of(conceptTopic, categoryTopic), new Rebalance());
            consuming = true;
            lastError = null;
            while (running) {
                runCommands();
                ConsumerRecords<String, byte[]> records;
                try {
                    records = c.poll(config.consumer().pollTimeout());
                } catch (WakeupException e) {
                    break;
                }
                List<ChangeGroup> groups = new ArrayList<>();
                Map<TopicPartition, Long> positions = new LinkedHashMap<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    accept(record, groups, positions);
                }
                if (!groups.isEmpty() && !applyWithRetry(groups)) {
                    break;
                }
                commit(c);
                remember(groups, positions);
                publishIfDue();
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.error("the projector stopped", e);
        } finally {
            consuming = false;
            consumer = null;
            // whatever was written is durable in OpenSearch; make it visible for a clean stop
            try {
                publish(true);
            } catch (RuntimeException e) {
                LOG.debugf("final publish failed: %s", e.getMessage());
            }
            Runnable command;
            while ((command = commands.poll()) != null) {
                command.run();
            }
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record, List<ChangeGroup> groups,
            Map<TopicPartition, Long> positions) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        ChangeGroupAssembler assembler = assemblers.get(record.topic());
        ChangeEnvelope envelope;
        try {
            envelope = mapper.readValue(record.value(), ChangeEnvelope.class);
        } catch (Exception e) {
            metrics.unreadable();
            LOG.errorf("skipping unreadable record %s@%d: %s", tp, record.offset(), e.getMessage());
            envelope = null;
        }
        if (envelope != null) {
            if (envelope.isWatermark()) {
                positions.merge(tp, envelope.commitLsn(), Math::max);
                noteCommit(envelope.commitTime());
            } else {
                try {
                    Optional<ChangeGroup> group = assembler.accept(record.partition(), envelope);
                    if (group.isPresent()) {
                        groups.add(group.get());
                        positions.merge(tp, group.get().commitLsn(), Math::max);
                    }
                } catch (RuntimeException e) {
                    metrics.unreadable();
                    LOG.errorf("skipping record %s@%d: %s", tp, record.offset(), e.getMessage());
                }
            }
        }
        if (!assembler.hasOpenRun(record.partition())) {
            safeOffsets.put(tp, record.offset() + 1);
        }
    }

    private void noteCommit(Instant commitTime) {
        if (commitTime != null && (pendingNewest == null || commitTime.isAfter(pendingNewest))) {
            pendingNewest = commitTime;
        }
    }

    /** Applies the batch, retrying with backoff until OpenSearch takes it; false only when stopping. */
    private boolean applyWithRetry(List<ChangeGroup> groups) {
        Duration backoff = config.consumer().retryBackoff();
        while (true) {
            try {
                BatchWriter.Outcome outcome = writer.write(groups, targets);
                metrics.applied(outcome.applied(), outcome.events());
                metrics.repeated(outcome.repeats());
                metrics.fanout(outcome.fanout());
                if (outcome.wrote()) {
                    unrefreshed = true;
                }
                lastError = null;
                return true;
            } catch (RuntimeException e) {
                lastError = "writing to OpenSearch: " + e.getMessage();
                metrics.retry();
                LOG.warnf("batch of %d groups not applied (%s); retrying in %d ms", groups.size(), e.getMessage(),
                        backoff.toMillis());
                if (!sleep(backoff) || !running) {
                    return false;
                }
                backoff = nextBackoff(backoff);
            }
        }
    }

    private void commit(KafkaConsumer<String, byte[]> c) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        safeOffsets.forEach((tp, offset) -> {
            if (!offset.equals(committed.get(tp))) {
                offsets.put(tp, new OffsetAndMetadata(offset));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        try {
            c.commitSync(offsets);
            committed.putAll(offsets.entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset())));
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            // a rebalance took partitions away: their next owner reads from the last commit (repeats, no loss)
            LOG.warnf("offset commit failed (%s): the groups since the last commit will be re-delivered", e.getMessage());
        }
    }

    private void remember(List<ChangeGroup> groups, Map<TopicPartition, Long> positions) {
        long dropped = assemblers.values().stream().mapToLong(ChangeGroupAssembler::droppedRuns).sum();
        if (dropped > droppedRunsSeen) {
            metrics.droppedRuns(dropped - droppedRunsSeen);
            droppedRunsSeen = dropped;
        }
        if (positions.isEmpty()) {
            return;
        }
        if (pendingPositions.isEmpty()) {
            pendingSince = System.nanoTime();
        }
        positions.forEach((tp, lsn) -> pendingPositions.merge(tp, lsn, Math::max));
        for (ChangeGroup group : groups) {
            pendingKeys.merge(group.key(), group.commitLsn(), Math::max);
            pendingCommits.add(group.commitTime());
            noteCommit(group.commitTime());
        }
    }

    private void publishIfDue() {
        if (pendingPositions.isEmpty()) {
            return;
        }
        boolean due = !unrefreshed || progress.waiting() > 0
                || System.nanoTime() - pendingSince >= config.consumer().publishInterval().toNanos();
        if (due) {
            try {
                publish(false);
            } catch (RuntimeException e) {
                lastError = "refreshing: " + e.getMessage();
                LOG.warnf("refresh failed (%s): positions are published after the next one", e.getMessage());
            }
        }
    }

    /** Makes the writes searchable (refresh), then publishes the positions. */
    private void publish(boolean force) {
        if (pendingPositions.isEmpty() && !force) {
            return;
        }
        if (unrefreshed) {
            String names = String.join(",", targets.all());
            os.call("POST", "/" + names + "/_refresh", null).orThrow("refresh");
            unrefreshed = false;
            cache.bump();
        }
        pendingKeys.forEach(progress::applied);
        pendingPositions.forEach((tp, lsn) -> progress.advance(tp.topic(), tp.partition(), lsn));
        metrics.visible(pendingCommits, pendingNewest);
        pendingKeys.clear();
        pendingPositions.clear();
        pendingCommits.clear();
        pendingNewest = null;
    }

    private void runCommands() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            if (unrefreshed || !pendingPositions.isEmpty()) {
                publish(true);
            }
            command.run();
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafka().groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "search-service-" + config.kafka().groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.consumer().maxPollRecords()));
        // OpenSearch may be down for a while: the retry loop does not poll meanwhile
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(config.kafka().consumer());
        return props;
    }

    private Duration nextBackoff(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        Duration max = config.consumer().retryBackoffMax();
        return doubled.compareTo(max) > 0 ? max : doubled;
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            KafkaConsumer<String, byte[]> c = consumer;
            if (c != null) {
                int total = 0;
                for (String topic : assemblers.keySet()) {
                    total += c.partitionsFor(topic).size();
                }
                totalPartitions = total;
            }
            Map<String, List<Integer>> byTopic = new HashMap<>();
            for (TopicPartition tp : partitions) {
                byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
                metrics.partitionAssigned(tp.topic(), tp.partition());
            }
            byTopic.forEach(progress::assigned);
        }

        private void forget(Collection<TopicPartition> partitions) {
            assigned.removeAll(partitions);
            Map<String, List<Integer>> byTopic = new HashMap<>();
            for (TopicPartition tp : partitions) {
                byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
                ChangeGroupAssembler assembler = assemblers.get(tp.topic());
                if (assembler != null) {
                    assembler.forget(tp.partition());
                }
                safeOffsets.remove(tp);
                committed.remove(tp);
                pendingPositions.remove(tp);
            }
            byTopic.forEach(progress::revoked);
        }
    }
}
