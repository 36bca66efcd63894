package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.projection.ChangeGroupAssembler;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.Indexes;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.progress.ProgressChannel;
import io.dialectica.search.progress.ProgressDocs;
import io.dialectica.search.progress.StoreProgress;
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
 * algorithm), in the consumer group every replica shares: each replica projects the partitions it is assigned.
 *
 * <p>Per poll: complete groups go to OpenSearch in one bulk (retried with backoff until OpenSearch takes it —
 * never skipped); then the positions the poll reached are written as progress documents into the index itself
 * ({@link ProgressDocs}: the applied position every replica reads); then the offsets are committed, only at group
 * boundaries; then the positions go to this replica's views ({@link ProjectionProgress}, {@link StoreProgress}) and
 * to the other replicas ({@link ProgressChannel}). Visibility is not the projector's business any more: token
 * readers refresh on demand; the projector refreshes at most every {@code publish-interval} after a write (and
 * bumps the cache generation). A kill -9 at any moment re-delivers at most the groups after the last commit,
 * which are repeats for OpenSearch (external versions).
 *
 * <p>The write targets are the indexes of the write alias, resolved after every poll ({@link Indexes#resolveTargets}):
 * a rebuild started on any replica reaches every replica's next poll. The rebuild's last step (the alias swap) runs
 * on this thread between two polls, through {@link #onProjectorThread}.
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
    private final StoreProgress view;
    private final ProgressChannel channel;

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Map<String, ChangeGroupAssembler> assemblers = new HashMap<>();
    /** Next offset to commit per partition: after the last record that left no open run behind. */
    private final Map<TopicPartition, Long> safeOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    // applied but maybe not searchable yet: for the freshness metric at the projector's own refresh
    private final List<Instant> pendingCommits = new ArrayList<>();
    private Instant pendingNewest;
    private boolean pending;
    private long unrefreshedSince;
    private boolean unrefreshed;
    /** The projector's asynchronous refresh is running (set by the loop, cleared by its completion). */
    private volatile boolean refreshInFlight;
    /** It failed: the loop marks the index unrefreshed again and the next due check retries. */
    private volatile boolean refreshRetry;
    /** Another writer of the concept index (the embedding consumer) asked for the next refresh to cover its writes. */
    private final java.util.concurrent.atomic.AtomicBoolean othersWrote = new java.util.concurrent.atomic.AtomicBoolean();
    /** Partitions per topic, from Kafka's metadata at each assignment. */
    private final Map<String, Integer> partitionCounts = new java.util.concurrent.ConcurrentHashMap<>();

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
            ProjectionProgress progress, ProjectionMetrics metrics, SearchCache cache, StoreProgress view,
            ProgressChannel channel) {
        this.view = view;
        this.channel = channel;
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
     * True when this instance consumes every partition of both topics (one replica). Informational: token reads no
     * longer depend on it, they read the positions from the index.
     */
    public int assignedPartitions() {
        return assigned.size();
    }

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

    // ------------------------------------------------------------------------------------------------

    private void run() {
        Duration backoff = config.consumer().retryBackoff();
        while (running && targets == null) {
            try {
                indexes.ensure();
                targets = indexes.resolveTargets();
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
                List<ProgressDocs.Position> reached = reached(positions);
                // the progress documents go where this poll's groups went: no second look at the aliases
                if (!reached.isEmpty() && !writeProgressWithRetry(reached, !groups.isEmpty())) {
                    break;
                }
                commit(c);
                remember(groups, positions, reached);
                if (refreshRetry) {
                    refreshRetry = false;
                    markUnrefreshed();
                }
                if (othersWrote.getAndSet(false)) {
                    markUnrefreshed();
                }
                refreshIfDue();
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.error("the projector stopped", e);
        } finally {
            consuming = false;
            consumer = null;
            // owning nothing any more: waiting readers read the store again (another replica may take over)
            view.ownsEveryPartition(false);
            // whatever was written is durable in OpenSearch; make it visible for a clean stop
            if (othersWrote.getAndSet(false)) {
                markUnrefreshed();
            }
            try {
                refresh();
            } catch (RuntimeException e) {
                LOG.debugf("final refresh failed: %s", e.getMessage());
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
        pending = true;
        if (commitTime != null && (pendingNewest == null || commitTime.isAfter(pendingNewest))) {
            pendingNewest = commitTime;
        }
    }

    /** The positions of this poll as progress documents (partitions this replica knows the count of). */
    private List<ProgressDocs.Position> reached(Map<TopicPartition, Long> positions) {
        List<ProgressDocs.Position> reached = new ArrayList<>();
        positions.forEach((tp, lsn) -> reached.add(new ProgressDocs.Position(tp.topic(), tp.partition(),
                partitionCounts.getOrDefault(tp.topic(), 0), lsn)));
        return reached;
    }

    /**
     * Writes the progress documents, retrying with backoff until OpenSearch takes them; false only when stopping.
     * {@code resolved}: the targets were resolved for this poll's groups (a retry resolves them again).
     */
    private boolean writeProgressWithRetry(List<ProgressDocs.Position> reached, boolean resolved) {
        Duration backoff = config.consumer().retryBackoff();
        while (true) {
            try {
                if (!resolved) {
                    targets = indexes.resolveTargets();
                }
                resolved = false;
                writer.writeProgress(reached, targets, channel.writer());
                return true;
            } catch (RuntimeException e) {
                lastError = "writing the progress documents: " + e.getMessage();
                metrics.retry();
                LOG.warnf("progress of %d partitions not written (%s); retrying in %d ms", reached.size(),
                        e.getMessage(), backoff.toMillis());
                if (!sleep(backoff) || !running) {
                    return false;
                }
                backoff = nextBackoff(backoff);
            }
        }
    }

    /** Applies the batch, retrying with backoff until OpenSearch takes it; false only when stopping. */
    private boolean applyWithRetry(List<ChangeGroup> groups) {
        Duration backoff = config.consumer().retryBackoff();
        while (true) {
            try {
                // after the poll, before the write: a rebuild's new index is a target from the first poll after it
                // was added to the write alias (its snapshot covers everything committed before). Resolved while
                // the documents are read from the last poll's live index (checked against the answer)
                // (the first poll has no last live index: it resolves first)
                BatchWriter.Targets guess = targets != null ? targets : indexes.resolveTargets();
                CompletableFuture<BatchWriter.Targets> resolving = targets != null ? indexes.resolveTargetsAsync()
                        : CompletableFuture.completedFuture(guess);
                BatchWriter.Written written = writer.write(groups, guess, resolving, othersMayFanOut());
                targets = written.targets();
                BatchWriter.Outcome outcome = written.outcome();
                metrics.applied(outcome.applied(), outcome.events());
                metrics.repeated(outcome.repeats());
                metrics.fanout(outcome.fanout());
                if (outcome.wrote() && !unrefreshed) {
                    unrefreshed = true;
                    unrefreshedSince = System.nanoTime();
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

    private boolean othersMayFanOut() {
        String topic = config.topics().categoryChanges();
        return CategoryOwnership.othersMayFanOut(assigned, topic, partitionCounts.get(topic));
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
        // asynchronous: the loop does not wait a broker round trip per poll. Nothing depends on the offsets being
        // committed at once (a re-delivered group is a repeat: external versions, progress documents); a revoked
        // partition's offsets are committed synchronously before it goes (Rebalance)
        committed.putAll(offsets.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset())));
        c.commitAsync(offsets, (done, failure) -> {
            if (failure != null) {
                // a rebalance took partitions away: their next owner reads from the last commit (repeats, no loss)
                LOG.debugf("offset commit failed (%s): the groups since the last commit will be re-delivered",
                        failure.getMessage());
            }
        });
    }

    /**
     * Before partitions go: the offsets last requested asynchronously (applied and durable; never those of a poll
     * that was not written), synchronously, so that the next owner starts after them.
     */
    private void commitRevoked(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long offset = committed.get(tp);
            if (offset != null) {
                offsets.put(tp, new OffsetAndMetadata(offset));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            c.commitSync(offsets);
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.debugf("offsets of revoked partitions not committed (their next owner skips the repeats): %s",
                    e.getMessage());
        }
    }

    /** The poll's groups and positions are durable in the index: tell this replica's views and the others. */
    private void remember(List<ChangeGroup> groups, Map<TopicPartition, Long> positions,
            List<ProgressDocs.Position> reached) {
        long dropped = assemblers.values().stream().mapToLong(ChangeGroupAssembler::droppedRuns).sum();
        if (dropped > droppedRunsSeen) {
            metrics.droppedRuns(dropped - droppedRunsSeen);
            droppedRunsSeen = dropped;
        }
        List<Instant> commits = new ArrayList<>();
        for (ChangeGroup group : groups) {
            progress.applied(group.key(), group.commitLsn());
            commits.add(group.commitTime());
            noteCommit(group.commitTime());
        }
        metrics.durable(commits);
        pendingCommits.addAll(commits);
        positions.forEach((tp, lsn) -> progress.advance(tp.topic(), tp.partition(), lsn));
        reached.forEach(view::observe);
        channel.publish(reached);
    }

    /**
     * The projector's own refresh, at most {@code publish-interval} after a write (OpenSearch refreshes every
     * {@code refresh-interval} too): bumps the cache generation and measures source commit → searchable.
     * <b>Asynchronous</b>: under load one refresh takes a few hundred ms, and the loop used to wait for it, so every
     * write arriving meanwhile waited too (bench freshness, 2026-12-06: ~320 ms of every second). Now the loop goes
     * on polling and writing while the refresh runs; at most one of these is in flight. Token readers never depended
     * on it (they wait for the applied positions and refresh for themselves, {@code Refresher}).
     */
    private void refreshIfDue() {
        if (!pending || refreshInFlight) {
            return;
        }
        boolean due = !unrefreshed
                || System.nanoTime() - unrefreshedSince >= config.consumer().publishInterval().toNanos();
        if (!due) {
            return;
        }
        if (!unrefreshed) {
            // nothing written since the last refresh (only watermarks): what is applied is searchable already
            visible();
            return;
        }
        List<Instant> commits = List.copyOf(pendingCommits);
        Instant newest = pendingNewest;
        pendingCommits.clear();
        pendingNewest = null;
        pending = false;
        unrefreshed = false;
        refreshInFlight = true;
        long started = System.nanoTime();
        os.send("POST", "/" + indexes.writeAlias() + "/_refresh", null).subscribe().with(reply -> {
            if (reply.ok()) {
                metrics.refreshed(System.nanoTime() - started);
                // on the HTTP client's I/O thread here, which every OpenSearch exchange of this JVM shares: the
                // blocking bump() would stall them all while Redis is slow
                cache.bumpAsync().subscribe().with(done -> { }, failure -> { });
                metrics.visible(commits, newest);
            } else {
                refreshFailed("HTTP " + reply.status());
            }
            refreshInFlight = false;
        }, failure -> {
            refreshFailed(failure.getMessage());
            refreshInFlight = false;
        });
    }

    /**
     * For another writer of the concept index (the embedding consumer): its writes become searchable with this
     * projector's next refresh, at most {@code publish-interval} (+ one poll) later, which bumps the cache generation
     * too. One refresh cycle for all the index's writers: a refresh per vector poll cost OpenSearch's single refresh
     * thread a refresh per second or more under load (docs/benchmarks.md, session 13). False when the projector does
     * not consume (stopped, or between a rebuild's steps): then the caller refreshes for itself.
     */
    public boolean refreshSoon() {
        if (!consuming) {
            return false;
        }
        othersWrote.set(true);
        return true;
    }

    private void markUnrefreshed() {
        if (!unrefreshed) {
            unrefreshed = true;
            unrefreshedSince = System.nanoTime();
        }
        pending = true;
    }

    /** The loop's next due check refreshes again (the commits of the failed one are not measured). */
    private void refreshFailed(String why) {
        refreshRetry = true;
        lastError = "refreshing: " + why;
        LOG.warnf("refresh failed (%s): retried after the next poll", why);
    }

    /** A synchronous refresh: before a command (a rebuild step) and on stopping, where the next step needs it. */
    private void refresh() {
        if (unrefreshed) {
            // the write alias: every index written into, whatever a rebuild changed since the last poll
            long started = System.nanoTime();
            os.call("POST", "/" + indexes.writeAlias() + "/_refresh", null).orThrow("refresh");
            metrics.refreshed(System.nanoTime() - started);
            unrefreshed = false;
            cache.bump();
        }
        visible();
    }

    private void visible() {
        metrics.visible(pendingCommits, pendingNewest);
        pendingCommits.clear();
        pendingNewest = null;
        pending = false;
    }

    private void runCommands() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            if (unrefreshed) {
                refresh();
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
        // as graph-service's projection: a projection must never apply an aborted transaction's records, should the
        // connector ever publish transactionally (it does not today: then this reads exactly the same records)
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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
            KafkaConsumer<String, byte[]> c = consumer;
            if (c != null) {
                commitRevoked(c, partitions);
            }
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
                    int count = c.partitionsFor(topic).size();
                    partitionCounts.put(topic, count);
                    view.learnCount(topic, count);
                    total += count;
                }
                totalPartitions = total;
            }
            Map<String, List<Integer>> byTopic = new HashMap<>();
            for (TopicPartition tp : partitions) {
                byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
                metrics.partitionAssigned(tp.topic(), tp.partition());
            }
            byTopic.forEach(progress::assigned);
            view.ownsEveryPartition(ownsAllPartitions());
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
            }
            byTopic.forEach(progress::revoked);
            view.ownsEveryPartition(ownsAllPartitions());
        }
    }
}
