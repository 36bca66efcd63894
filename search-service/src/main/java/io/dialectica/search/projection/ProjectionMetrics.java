package io.dialectica.search.projection;

import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.search.progress.StoreProgress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics of the projection (/q/metrics), names as Prometheus shows them:
 * {@code dialectica_search_events_applied_total} (row changes of applied groups; events/s = rate()),
 * {@code dialectica_search_groups_applied_total}, {@code dialectica_search_groups_repeated_total} (re-deliveries
 * found already applied: a version at or above the group's), {@code dialectica_search_runs_dropped_total},
 * {@code dialectica_search_unreadable_records_total}, {@code dialectica_search_fanout_documents_total},
 * {@code dialectica_search_bulk_actions} (summary: actions per _bulk), {@code dialectica_search_write_retries_total},
 * {@code dialectica_search_low_watermark_lsn} (the index's, all partitions), {@code
 * dialectica_search_partition_position_lsn{topic,partition}} (this replica's partitions), the stage timers
 * {@code dialectica_search_bulk_duration_seconds}, {@code dialectica_search_progress_write_seconds},
 * {@code dialectica_search_refresh_seconds{origin}}, {@code dialectica_search_apply_latency_seconds},
 * {@code dialectica_search_token_read_seconds{outcome}} (in {@code Consistency}),
 * {@code dialectica_search_lag_milliseconds} (now minus the source commit time of the newest change or watermark
 * whose effect is searchable; grows while nothing arrives, e.g. the connector is down) and
 * {@code dialectica_search_freshness_seconds} (histogram: source commit to searchable, per applied group).
 */
@ApplicationScoped
public class ProjectionMetrics {

    private final MeterRegistry registry;
    private final ProjectionProgress progress;
    private final Counter events;
    private final Counter groups;
    private final Counter repeats;
    private final Counter droppedRuns;
    private final Counter unreadable;
    private final Counter fanout;
    private final Counter retries;
    private final DistributionSummary bulkActions;
    private final Timer bulkTime;
    private final Timer progressTime;
    private final Timer readTime;
    private final Timer vectorsTime;
    private final Timer refreshTime;
    private final Timer applyLatency;
    private final Counter rechecked;
    private final Timer freshness;
    private final AtomicLong newestVisibleCommitMs = new AtomicLong(0);
    private final Set<String> partitionGauges = ConcurrentHashMap.newKeySet();

    public ProjectionMetrics(MeterRegistry registry, ProjectionProgress progress, StoreProgress store) {
        this.registry = registry;
        this.progress = progress;
        events = Counter.builder("dialectica.search.events.applied")
                .description("Row changes of the change groups applied to the index").register(registry);
        groups = Counter.builder("dialectica.search.groups.applied").description("Change groups applied").register(registry);
        repeats = Counter.builder("dialectica.search.groups.repeated")
                .description("Change groups found already applied (re-deliveries): nothing changed").register(registry);
        droppedRuns = Counter.builder("dialectica.search.runs.dropped")
                .description("Incomplete groups dropped because a re-delivery started them again").register(registry);
        unreadable = Counter.builder("dialectica.search.unreadable.records")
                .description("Records that are not a change envelope (logged and skipped)").register(registry);
        fanout = Counter.builder("dialectica.search.fanout.documents")
                .description("Concept documents rewritten because a shared category changed").register(registry);
        retries = Counter.builder("dialectica.search.write.retries")
                .description("Batches retried because OpenSearch failed or refused a write").register(registry);
        bulkActions = DistributionSummary.builder("dialectica.search.bulk.actions")
                .description("Actions per _bulk request").register(registry);
        bulkTime = timer(registry, "dialectica.search.bulk.duration", "The _bulk of a poll's change groups, sent to acknowledged");
        progressTime = timer(registry, "dialectica.search.progress.write",
                "The _bulk of a poll's progress documents, sent to acknowledged");
        readTime = timer(registry, "dialectica.search.batch.read",
                "A batch's read of the current documents it changes (one realtime _mget of concepts and categories)");
        vectorsTime = timer(registry, "dialectica.search.batch.vectors",
                "A batch's look-up of stored vectors for documents lacking one of their current text");
        refreshTime = Timer.builder("dialectica.search.refresh").tag("origin", "projector")
                .description("Refreshes of the concept index and how long they took (reader: for token reads)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        applyLatency = Timer.builder("dialectica.search.apply.latency")
                .description("Source commit to the change group applied in the index and its position written "
                        + "(durable, not yet searchable)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        rechecked = Counter.builder("dialectica.search.category.rechecked")
                .description("Documents whose categories were re-applied after a concurrent fan-out (several replicas)")
                .register(registry);
        freshness = Timer.builder("dialectica.search.freshness")
                .description("Source commit to the change being searchable")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        Gauge.builder("dialectica.search.low.watermark.lsn", store, p -> (double) p.appliedLow())
                .description("Low watermark of the index (progress documents, every partition, whichever replica "
                        + "applied it): every change committed at or before it is in the index (LSN as a number)")
                .register(registry);
        Gauge.builder("dialectica.search.lag", this, m -> m.lagMs())
                .description("Milliseconds since the source commit of the newest searchable change or watermark "
                        + "(-1 before the first)")
                .baseUnit("milliseconds").register(registry);
    }

    void applied(int groupCount, int eventCount) {
        groups.increment(groupCount);
        events.increment(eventCount);
    }

    void repeated(int count) {
        repeats.increment(count);
    }

    void droppedRuns(long count) {
        droppedRuns.increment(count);
    }

    void unreadable() {
        unreadable.increment();
    }

    void fanout(int documents) {
        fanout.increment(documents);
    }

    void retry() {
        retries.increment();
    }

    void bulk(int actions, long nanos) {
        bulkActions.record(actions);
        bulkTime.record(Duration.ofNanos(nanos));
    }

    void read(long nanos) {
        readTime.record(Duration.ofNanos(nanos));
    }

    void vectorsLooked(long nanos) {
        vectorsTime.record(Duration.ofNanos(nanos));
    }

    void progressWritten(long nanos) {
        progressTime.record(Duration.ofNanos(nanos));
    }

    void refreshed(long nanos) {
        refreshTime.record(Duration.ofNanos(nanos));
    }

    void rechecked(int documents) {
        rechecked.increment(documents);
    }

    /** Change groups are durable in the index (and their positions written) now. */
    void durable(Iterable<Instant> groupCommits) {
        Instant now = Instant.now();
        for (Instant commit : groupCommits) {
            if (commit != null) {
                Duration d = Duration.between(commit, now);
                applyLatency.record(d.isNegative() ? Duration.ZERO : d);
            }
        }
    }

    private static Timer timer(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** Changes became searchable now. */
    void visible(Iterable<Instant> groupCommits, Instant newestCommit) {
        Instant now = Instant.now();
        for (Instant commit : groupCommits) {
            Duration d = Duration.between(commit, now);
            freshness.record(d.isNegative() ? Duration.ZERO : d);
        }
        if (newestCommit != null) {
            newestVisibleCommitMs.accumulateAndGet(newestCommit.toEpochMilli(), Math::max);
        }
    }

    void partitionAssigned(String topic, int partition) {
        if (partitionGauges.add(topic + "/" + partition)) {
            Gauge.builder("dialectica.search.partition.position.lsn", progress, p -> {
                Map<Integer, Long> byPartition = p.positions().get(topic);
                Long lsn = byPartition == null ? null : byPartition.get(partition);
                return lsn == null ? Double.NaN : lsn;
            }).description("Highest commit LSN applied or passed in the partition (NaN when not assigned)")
                    .tags(Tags.of("topic", topic, "partition", Integer.toString(partition))).register(registry);
        }
    }

    public long lagMs() {
        long newest = newestVisibleCommitMs.get();
        return newest == 0 ? -1 : Math.max(0, System.currentTimeMillis() - newest);
    }

    public double eventsApplied() {
        return events.count();
    }

    public double groupsApplied() {
        return groups.count();
    }

    public double repeats() {
        return repeats.count();
    }

    public double droppedRunCount() {
        return droppedRuns.count();
    }

    public double bulkCount() {
        return bulkActions.count();
    }

    public double bulkMean() {
        return bulkActions.mean();
    }

    public double retries() {
        return retries.count();
    }

    public double fanoutCount() {
        return fanout.count();
    }
}
