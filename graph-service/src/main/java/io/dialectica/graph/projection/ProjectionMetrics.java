package io.dialectica.graph.projection;

import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.progress.StoreProgress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Prometheus metrics of the projection (/q/metrics), also shown in the readiness details:
 * <ul>
 * <li>{@code dialectica_graph_low_watermark_lsn}: the low watermark token reads are answered against: the minimum
 * position over every partition of both topics as Neo4j holds it ({@link StoreProgress}, whichever replica wrote it),
 * as a number;</li>
 * <li>{@code dialectica_graph_own_low_watermark_lsn}: the minimum over the partitions this replica consumes;</li>
 * <li>{@code dialectica_graph_partitions_assigned}: how many partitions this replica consumes;</li>
 * <li>{@code dialectica_graph_progress_reads_total}: reads of the progress nodes by this replica's view;</li>
 * <li>{@code dialectica_graph_partition_position_lsn{topic,partition}}: each assigned partition's position;</li>
 * <li>{@code dialectica_graph_lag_milliseconds}: now − commit time of the last applied group (−1 before the first);</li>
 * <li>{@code dialectica_graph_apply_latency_seconds}: source commit → group applied in Neo4j (histogram);</li>
 * <li>{@code dialectica_graph_events_applied_total}, {@code dialectica_graph_groups_applied_total},
 * {@code dialectica_graph_groups_repeated_total} (repeats skipped by the LSN check),
 * {@code dialectica_graph_runs_dropped_total} (incomplete runs a re-delivery interrupted),
 * {@code dialectica_graph_relations_unknown_type_total}, {@code dialectica_graph_records_unreadable_total},
 * {@code dialectica_graph_groups_failed_total} (poison groups Neo4j refused, skipped),
 * {@code dialectica_graph_store_failures_total} (failed Neo4j transactions, retried).</li>
 * </ul>
 */
@ApplicationScoped
public class ProjectionMetrics {

    private final MeterRegistry registry;
    private final ProjectionProgress progress;
    private final Counter events;
    private final Counter groups;
    private final Counter repeats;
    private final Counter unknownTypes;
    private final Counter unreadable;
    private final Counter failedGroups;
    private final Counter storeFailures;
    private final Timer applyLatency;
    private final AtomicLong lastAppliedCommitTimeMs = new AtomicLong(0);
    private final Set<String> partitionGauges = ConcurrentHashMap.newKeySet();
    private volatile LongSupplier droppedRuns = () -> 0;

    public ProjectionMetrics(MeterRegistry registry, ProjectionProgress progress, StoreProgress view) {
        this.registry = registry;
        this.progress = progress;
        events = Counter.builder("dialectica.graph.events.applied")
                .description("Row changes applied to Neo4j (envelopes of applied groups)").register(registry);
        groups = Counter.builder("dialectica.graph.groups.applied")
                .description("Change groups applied to Neo4j").register(registry);
        repeats = Counter.builder("dialectica.graph.groups.repeated")
                .description("Change groups skipped because their commit LSN was already applied (re-deliveries)")
                .register(registry);
        unknownTypes = Counter.builder("dialectica.graph.relations.unknown.type")
                .description("Relations skipped because their type is not in the vocabulary").register(registry);
        unreadable = Counter.builder("dialectica.graph.records.unreadable")
                .description("Records or rows that could not be read as change envelopes (skipped)").register(registry);
        failedGroups = Counter.builder("dialectica.graph.groups.failed")
                .description("Change groups Neo4j refused as invalid (not a failure of Neo4j): skipped").register(registry);
        storeFailures = Counter.builder("dialectica.graph.store.failures")
                .description("Neo4j transactions that failed and were tried again").register(registry);
        FunctionCounter.builder("dialectica.graph.runs.dropped", this, m -> m.droppedRuns.getAsLong())
                .description("Incomplete change-group runs dropped because a re-delivery interrupted them")
                .register(registry);
        applyLatency = Timer.builder("dialectica.graph.apply.latency")
                .description("Source commit to the change group being applied in Neo4j")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        Gauge.builder("dialectica.graph.low.watermark.lsn", view, v -> (double) v.lowWatermark())
                .description("Low watermark of the store: minimum position over every partition of both topics, "
                        + "as Neo4j holds it (an LSN as a number)")
                .register(registry);
        Gauge.builder("dialectica.graph.own.low.watermark.lsn", progress, p -> (double) p.lowWatermark())
                .description("Minimum position over the partitions this replica consumes (an LSN as a number)")
                .register(registry);
        Gauge.builder("dialectica.graph.partitions.assigned", progress,
                p -> p.positions().values().stream().mapToInt(Map::size).sum())
                .description("Partitions this replica consumes").register(registry);
        FunctionCounter.builder("dialectica.graph.progress.reads", view, StoreProgress::storeReads)
                .description("Reads of the progress nodes from Neo4j by this replica's view").register(registry);
        Gauge.builder("dialectica.graph.lag", this, m -> (double) m.lagMs())
                .description("Now minus the source commit time of the last applied change group (-1 before the first)")
                .baseUnit("milliseconds").register(registry);
    }

    void droppedRuns(LongSupplier supplier) {
        this.droppedRuns = supplier;
    }

    void partitionAssigned(String topic, int partition) {
        if (partitionGauges.add(topic + "/" + partition)) {
            Gauge.builder("dialectica.graph.partition.position.lsn", progress,
                    p -> p.positions().getOrDefault(topic, Map.of()).getOrDefault(partition, -1L).doubleValue())
                    .description("Position of a partition: the highest commit LSN applied or passed (-1: not assigned)")
                    .tags("topic", topic, "partition", Integer.toString(partition)).register(registry);
        }
    }

    void recorded(GraphWriter.Result result, Instant now) {
        events.increment(result.events());
        groups.increment(result.applied().size());
        repeats.increment(result.repeats().size());
        unknownTypes.increment(result.unknownTypes());
        unreadable.increment(result.unreadable());
        for (ChangeGroup g : result.applied()) {
            applyLatency.record(nonNegative(Duration.between(g.commitTime(), now)));
            lastAppliedCommitTimeMs.accumulateAndGet(g.commitTime().toEpochMilli(), Math::max);
        }
    }

    void unreadableRecord() {
        unreadable.increment();
    }

    void failedGroup() {
        failedGroups.increment();
    }

    void storeFailure() {
        storeFailures.increment();
    }

    public long lagMs() {
        long last = lastAppliedCommitTimeMs.get();
        return last == 0 ? -1 : Math.max(0, System.currentTimeMillis() - last);
    }

    public long eventsApplied() {
        return (long) events.count();
    }

    public long groupsApplied() {
        return (long) groups.count();
    }

    public long groupsRepeated() {
        return (long) repeats.count();
    }

    public long runsDropped() {
        return droppedRuns.getAsLong();
    }

    public long unknownRelationTypes() {
        return (long) unknownTypes.count();
    }

    public long unreadable() {
        return (long) unreadable.count();
    }

    public long groupsFailed() {
        return (long) failedGroups.count();
    }

    public long storeFailures() {
        return (long) storeFailures.count();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
