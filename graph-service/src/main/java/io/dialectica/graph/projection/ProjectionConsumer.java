package io.dialectica.graph.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.projection.ChangeGroupAssembler;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.embedding.EmbeddingWorker;
import io.dialectica.graph.progress.StoreProgress;
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
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.exceptions.TransientException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The projector: a plain {@link KafkaConsumer} on its own thread reads both change topics, reassembles
 * change groups ({@link ChangeGroupAssembler}, one per topic) and applies each poll's complete groups in
 * one Neo4j transaction ({@link GraphWriter}). Only after that transaction committed does it advance
 * the positions ({@link ProjectionProgress}) and commit the Kafka offsets, and only up to group
 * boundaries: a partition holding an incomplete run is committed at the run's first record.
 *
 * <p>When Neo4j fails, nothing is skipped and nothing is committed: the consumer seeks every partition
 * back to its last committed offset and reads the same records again after a backoff (200 ms doubling
 * to 10 s), until Neo4j accepts them. A crash (kill -9) resumes from the committed offsets; groups
 * applied after the last offset commit come again and are recognised as repeats by their LSN.
 *
 * <p>Several replicas share the consumer group, each consuming some partitions. Every transaction also writes the
 * positions of the partitions it covers into Neo4j ({@link PartitionPosition}, {@code (:ProjectionProgress)}), so
 * every replica answers consistency tokens from the store ({@link StoreProgress}), whichever replica applied the
 * write; this replica's view learns its own transactions at once.
 */
@ApplicationScoped
public class ProjectionConsumer {

    private static final Logger LOG = Logger.getLogger(ProjectionConsumer.class);

    public enum State { STARTING, RUNNING, RETRYING, STOPPED, DISABLED }

    private final GraphConfig config;
    private final GraphWriter writer;
    private final GraphSchema schema;
    private final ProjectionProgress progress;
    private final StoreProgress view;
    private final ProjectionMetrics metrics;
    private final ObjectMapper mapper;
    private final EmbeddingWorker embeddings;
    private final Map<String, ChangeGroupAssembler> assemblers = new HashMap<>();
    /** Per partition: the offset of the first record of the open run (where a restart must read again). */
    private final Map<TopicPartition, Long> runStarts = new HashMap<>();
    /** Per partition: the offset committed (or the position at assignment): where a retry reads again. */
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    /** Offsets applied but not committed because a rebalance was under way: committed before a partition goes. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    /** Partitions per topic, as Kafka's metadata says (written on the progress nodes for the readers). */
    private final Map<String, Integer> partitionCounts = new HashMap<>();

    private volatile State state = State.STARTING;
    private volatile boolean running;
    private volatile String lastError;
    private volatile int consecutiveFailures;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    public ProjectionConsumer(GraphConfig config, GraphWriter writer, GraphSchema schema, ProjectionProgress progress,
            StoreProgress view, ProjectionMetrics metrics, ObjectMapper mapper, EmbeddingWorker embeddings) {
        this.embeddings = embeddings;
        this.config = config;
        this.writer = writer;
        this.schema = schema;
        this.progress = progress;
        this.view = view;
        this.metrics = metrics;
        this.mapper = mapper;
        assemblers.put(config.topics().conceptChanges(), new ChangeGroupAssembler(config.topics().conceptChanges()));
        assemblers.put(config.topics().categoryChanges(), new ChangeGroupAssembler(config.topics().categoryChanges()));
        metrics.droppedRuns(() -> assemblers.values().stream().mapToLong(ChangeGroupAssembler::droppedRuns).sum());
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.projection().enabled()) {
            state = State.DISABLED;
            LOG.info("projection disabled (dialectica.graph.projection.enabled=false)");
            return;
        }
        running = true;
        thread = new Thread(this::run, "graph-projection");
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
                // the consumer leaves its group on close; a thread stuck elsewhere is interrupted after 10 s
                thread.join(10_000);
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state = State.STOPPED;
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
        Duration backoff = config.projection().retryBackoff();
        while (running && !schema.isReady()) {
            try {
                schema.ensure();
            } catch (RuntimeException e) {
                failed("creating the Neo4j schema", e);
                backoff = pause(backoff);
            }
        }
        if (!running) {
            return;
        }
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(),
                new StringDeserializer())) {
            consumer = c;
            c.subscribe(List.copyOf(assemblers.keySet()), new Rebalance());
            state = State.RUNNING;
            LOG.infof("projecting %s into Neo4j (consumer group %s)", assemblers.keySet(), config.kafka().groupId());
            backoff = config.projection().retryBackoff();
            while (running) {
                ConsumerRecords<String, String> records = c.poll(config.kafka().pollTimeout());
                if (records.isEmpty()) {
                    continue;
                }
                if (process(c, records)) {
                    backoff = config.projection().retryBackoff();
                } else {
                    seekBack(c);
                    backoff = pause(backoff);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("projection consumer woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            if (running) {
                lastError = describe(e);
                LOG.error("projection consumer stopped", e);
            }
        } finally {
            consumer = null;
            // owning nothing any more: waiting readers read the store again (another replica may take over)
            view.owned(Map.of());
            state = State.STOPPED;
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafka().groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "graph-service-projection-"
                + System.getenv().getOrDefault("HOSTNAME", Long.toString(ProcessHandle.current().pid())));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new consumer group projects everything the topics still hold
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafka().maxPollRecords());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // several replicas: a partition moves only when it must (a replica joins or leaves), the others keep going
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // a replica that died without leaving the group (kill -9) gives its partitions up after this
        long session = config.kafka().sessionTimeout().toMillis();
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, session / 4));
        props.putAll(config.kafka().consumer());
        return props;
    }

    /** Applies one poll; false when Neo4j failed (nothing advanced, nothing committed). */
    private boolean process(KafkaConsumer<String, String> c, ConsumerRecords<String, String> records) {
        List<ChangeGroup> groups = new ArrayList<>();
        Map<TopicPartition, Long> watermarks = new HashMap<>();
        Map<TopicPartition, Long> safeOffsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            ChangeGroupAssembler assembler = assemblers.get(tp.topic());
            long last = -1;
            for (ConsumerRecord<String, String> record : records.records(tp)) {
                last = record.offset();
                ChangeEnvelope envelope = read(record);
                if (envelope == null) {
                    continue;
                }
                if (envelope.isWatermark()) {
                    watermarks.merge(tp, envelope.commitLsn(), Math::max);
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

        // the positions this poll moves, written in the same transaction as its groups
        Map<String, PartitionPosition> moved = new HashMap<>();
        for (ChangeGroup g : groups) {
            TopicPartition tp = new TopicPartition(g.topic(), g.partition());
            moved.merge(PartitionPosition.id(g.topic(), g.partition()), new PartitionPosition(g.topic(), g.partition(),
                    g.commitLsn(), safeOffsets.getOrDefault(tp, -1L), partitions(c, g.topic())), PartitionPosition::merge);
        }
        watermarks.forEach((tp, lsn) -> moved.merge(PartitionPosition.id(tp.topic(), tp.partition()),
                new PartitionPosition(tp.topic(), tp.partition(), lsn, safeOffsets.getOrDefault(tp, -1L),
                        partitions(c, tp.topic())), PartitionPosition::merge));
        List<PartitionPosition> positions = List.copyOf(moved.values());

        List<GraphWriter.Result> results;
        long applyStart = System.nanoTime();
        try {
            results = applyAll(groups, positions);
            if (LOG.isDebugEnabled()) {
                LOG.debugf("applied a poll of %d records, %d groups in %d ms", records.count(), groups.size(),
                        (System.nanoTime() - applyStart) / 1_000_000);
            }
        } catch (RuntimeException e) {
            metrics.storeFailure();
            failed("applying " + groups.size() + " change groups to Neo4j", e);
            return false;
        }
        // the transaction committed: now the positions, then the offsets
        Instant now = Instant.now();
        Set<String> textTouched = new LinkedHashSet<>();
        Set<String> renamed = new LinkedHashSet<>();
        for (GraphWriter.Result result : results) {
            metrics.recorded(result, now);
            textTouched.addAll(result.textTouched());
            renamed.addAll(result.renamedCategories());
        }
        // the vectors follow asynchronously (EmbeddingWorker): handing the ids over never waits
        embeddings.changed(textTouched, renamed);
        Map<String, Long> keys = new HashMap<>();
        for (ChangeGroup g : groups) {
            progress.applied(g.key(), g.commitLsn());
            progress.advance(g.topic(), g.partition(), g.commitLsn());
            keys.merge(g.key(), g.commitLsn(), Math::max);
        }
        watermarks.forEach((tp, lsn) -> progress.advance(tp.topic(), tp.partition(), lsn));
        view.learned(positions, keys);
        commit(c, safeOffsets);
        if (consecutiveFailures > 0) {
            LOG.infof("Neo4j accepts changes again after %d failed attempts; low watermark %s", consecutiveFailures,
                    Lsn.format(progress.lowWatermark()));
        }
        consecutiveFailures = 0;
        lastError = null;
        state = State.RUNNING;
        return true;
    }

    /**
     * One transaction for the whole poll. Should Neo4j refuse it as invalid (a data problem, not an
     * outage), the groups are applied one by one and only a group Neo4j refuses on its own is skipped
     * (logged, {@code dialectica_graph_groups_failed_total}), so that one bad group cannot stop the stream.
     */
    private List<GraphWriter.Result> applyAll(List<ChangeGroup> groups, List<PartitionPosition> positions) {
        if (groups.isEmpty() && positions.isEmpty()) {
            return List.of();
        }
        try {
            return List.of(retryingTransient(() -> writer.apply(groups, positions)));
        } catch (Neo4jException e) {
            if (!refusedAsInvalid(e)) {
                throw e;
            }
            LOG.warnf("Neo4j refused a batch of %d groups (%s); applying them one by one", groups.size(), e.code());
        }
        List<GraphWriter.Result> results = new ArrayList<>();
        for (ChangeGroup g : groups) {
            try {
                // the group's own partition position comes with it
                results.add(retryingTransient(() -> writer.apply(List.of(g), List.of())));
            } catch (Neo4jException e) {
                if (!refusedAsInvalid(e)) {
                    throw e;
                }
                metrics.failedGroup();
                LOG.errorf(e, "skipping change group %s/%d key %s commit LSN %s: Neo4j refuses it (%s)", g.topic(),
                        g.partition(), g.key(), Lsn.format(g.commitLsn()), e.code());
            }
        }
        // then the positions of the whole poll (past the skipped groups too, as before)
        retryingTransient(() -> writer.apply(List.of(), positions));
        return results;
    }

    /**
     * A transaction Neo4j aborted for a transient reason — with several replicas mostly a deadlock between two of
     * them locking shared categories in a different order — is tried again at once, a few times, before it counts
     * as a store failure (backoff, seek back).
     */
    private static <T> T retryingTransient(Supplier<T> transaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (TransientException e) {
                if (attempt >= 5) {
                    throw e;
                }
                LOG.debugf("transient Neo4j failure (attempt %d), trying again: %s", attempt, e.code());
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt + 10));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The topic's partition count (Kafka metadata, asked once per topic and assignment). */
    /** For the embedding sweep; 0 (sweep everything) when Kafka does not say. */
    private int conceptPartitionCount() {
        try {
            var infos = consumer.partitionsFor(config.topics().conceptChanges(), Duration.ofSeconds(5));
            return infos == null ? 0 : infos.size();
        } catch (RuntimeException e) {
            if (e instanceof WakeupException w) {
                throw w;
            }
            return 0;
        }
    }

    private int partitions(KafkaConsumer<String, String> c, String topic) {
        Integer known = partitionCounts.get(topic);
        if (known != null) {
            return known;
        }
        try {
            var infos = c.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                partitionCounts.put(topic, infos.size());
                return infos.size();
            }
        } catch (RuntimeException e) {
            if (e instanceof WakeupException w) {
                throw w;
            }
            LOG.warnf("no partition count for %s yet: %s", topic, e.getMessage());
        }
        return 0;
    }

    /** Neo4j says the data is wrong (a constraint or a value's type), which no retry would change. */
    static boolean refusedAsInvalid(Neo4jException e) {
        String code = e.code();
        return code != null && (code.startsWith("Neo.ClientError.Schema.ConstraintValidationFailed")
                || code.equals("Neo.ClientError.Statement.TypeError")
                || code.equals("Neo.ClientError.Statement.ArgumentError"));
    }

    private ChangeEnvelope read(ConsumerRecord<String, String> record) {
        try {
            ChangeEnvelope envelope = mapper.readValue(record.value(), ChangeEnvelope.class);
            if (envelope == null || envelope.kind() == null
                    || (!envelope.isWatermark() && (envelope.key() == null || envelope.table() == null
                            || envelope.op() == null || envelope.txSize() < 1))) {
                throw new IllegalArgumentException("not a change envelope");
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
        // asynchronous: the loop does not wait a broker round trip per poll (the readers were released before, by
        // the positions in Neo4j; a re-delivered group is a repeat, recognised by its LSN). The callback runs on this
        // thread, inside a later poll; a revoked partition's offsets are committed synchronously before it goes
        offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
        offsets.keySet().forEach(uncommitted::remove);
        c.commitAsync(offsets, (done, failure) -> {
            if (failure instanceof RebalanceInProgressException) {
                // a cooperative rebalance is under way (a replica joins or leaves): committed with the next poll's
                // offsets, or when the partition is revoked
                done.forEach(uncommitted::putIfAbsent);
                LOG.debugf("offsets not committed during a rebalance (later, or on revocation): %s", done.keySet());
            } else if (failure != null) {
                // a rebalance or an unreachable broker: the next owner reads these groups again and skips them
                LOG.warnf("committing offsets failed (the groups are applied; a re-delivery will be skipped): %s",
                        failure.getMessage());
            }
        });
    }

    /** Reads every partition again from its last committed offset, runs and all. */
    private void seekBack(KafkaConsumer<String, String> c) {
        for (TopicPartition tp : c.assignment()) {
            Long offset = committed.get(tp);
            if (offset != null) {
                c.seek(tp, offset);
            }
            assemblers.get(tp.topic()).forget(tp.partition());
            runStarts.remove(tp);
        }
    }

    private void failed(String what, RuntimeException e) {
        consecutiveFailures++;
        lastError = what + ": " + describe(e);
        if (state == State.RUNNING) {
            state = State.RETRYING;
        }
        if (consecutiveFailures == 1 || consecutiveFailures % 20 == 0) {
            LOG.warnf("%s failed (attempt %d), trying again: %s", what, consecutiveFailures, describe(e));
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
        return next.compareTo(config.projection().retryBackoffMax()) > 0 ? config.projection().retryBackoffMax() : next;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The partitions this replica owns now (the consumer's assignment without those {@code leaving}), by topic. */
    private Map<String, Set<Integer>> ownedNow(Collection<TopicPartition> leaving) {
        Map<String, Set<Integer>> owned = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (!leaving.contains(tp)) {
                owned.computeIfAbsent(tp.topic(), t -> new HashSet<>()).add(tp.partition());
            }
        }
        return owned;
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<String, List<Integer>> byTopic = new HashMap<>();
            for (TopicPartition tp : partitions) {
                committed.put(tp, consumer.position(tp));
                assemblers.get(tp.topic()).forget(tp.partition());
                runStarts.remove(tp);
                byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
                metrics.partitionAssigned(tp.topic(), tp.partition());
            }
            byTopic.forEach(progress::assigned);
            view.owned(ownedNow(List.of()));
            // the partition count is asked again after each assignment (a topic may have grown)
            partitionCounts.clear();
            List<Integer> conceptPartitions = byTopic.get(config.topics().conceptChanges());
            if (conceptPartitions != null && embeddings.enabled()) {
                // their concepts' vectors are checked (a restart lost the queue; another owner may have had them)
                embeddings.assigned(conceptPartitions, conceptPartitionCount());
            }
            LOG.infof("assigned %s", partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // what this replica applied but could not commit during the rebalance: its next owner starts after it
            // and what was requested asynchronously (may still be in flight): committed for sure before it goes
            Map<TopicPartition, OffsetAndMetadata> last = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = uncommitted.remove(tp);
                Long requested = committed.get(tp);
                if (o == null && requested != null) {
                    o = new OffsetAndMetadata(requested);
                }
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
            Map<String, List<Integer>> byTopic = new HashMap<>();
            for (TopicPartition tp : partitions) {
                committed.remove(tp);
                assemblers.get(tp.topic()).forget(tp.partition());
                runStarts.remove(tp);
                byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
            }
            byTopic.forEach(progress::revoked);
            view.owned(ownedNow(partitions));
            List<Integer> conceptPartitions = byTopic.get(config.topics().conceptChanges());
            if (conceptPartitions != null) {
                embeddings.revoked(conceptPartitions);
            }
            if (!partitions.isEmpty()) {
                LOG.infof("revoked %s", partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // no longer ours (the group gave up on this replica): nothing may be committed for them
            partitions.forEach(tp -> {
                uncommitted.remove(tp);
                committed.remove(tp);
            });
            onPartitionsRevoked(partitions);
        }
    }
}
