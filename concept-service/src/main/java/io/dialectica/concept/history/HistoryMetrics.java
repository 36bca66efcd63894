package io.dialectica.concept.history;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The history consumer's counters, on {@code /q/metrics} as {@code dialectica_history_*}: versions recorded, repeats
 * skipped (re-deliveries), groups without an earlier version, snapshot groups and unreadable records skipped, failed
 * PostgreSQL transactions, and how far behind the history is (commit → recorded).
 */
@ApplicationScoped
public class HistoryMetrics {

    private final Counter versions;
    private final Counter repeats;
    private final Counter withoutBase;
    private final Counter snapshotGroups;
    private final Counter unreadable;
    private final Counter storeFailures;
    private final Timer behind;
    private final AtomicLong lastCommitLsn = new AtomicLong();
    private final AtomicLong lagMs = new AtomicLong();
    private final MeterRegistry registry;

    public HistoryMetrics(MeterRegistry registry) {
        this.registry = registry;
        versions = Counter.builder("dialectica.history.versions").description("versions recorded").register(registry);
        repeats = Counter.builder("dialectica.history.groups.repeated")
                .description("change groups at or below a concept's last recorded version (re-deliveries): nothing recorded")
                .register(registry);
        withoutBase = Counter.builder("dialectica.history.groups.without.base")
                .description("change groups of a concept with no earlier version to apply to (created before the history saw it)")
                .register(registry);
        snapshotGroups = Counter.builder("dialectica.history.groups.snapshot")
                .description("snapshot reads (op r): not changes, skipped").register(registry);
        unreadable = Counter.builder("dialectica.history.unreadable")
                .description("records or groups the history could not read: skipped").register(registry);
        storeFailures = Counter.builder("dialectica.history.store.failures")
                .description("PostgreSQL transactions of the history that failed (retried)").register(registry);
        behind = Timer.builder("dialectica.history.behind")
                .description("commit of a change → its version recorded").publishPercentileHistogram()
                .register(registry);
        Gauge.builder("dialectica.history.lag", lagMs, AtomicLong::get).baseUnit("milliseconds")
                .description("commit → recorded, of the last version recorded").register(registry);
        Gauge.builder("dialectica.history.last.commit.lsn", lastCommitLsn, AtomicLong::get)
                .description("commit LSN of the last version recorded").register(registry);
    }

    void recorded(HistoryRecorder.Result result, Instant now) {
        versions.increment(result.recorded().size());
        repeats.increment(result.repeats());
        withoutBase.increment(result.withoutBase());
        snapshotGroups.increment(result.snapshotGroups());
        unreadable.increment(result.unreadable());
        for (RecordedVersion v : result.recorded()) {
            Duration lag = Duration.between(v.commitTime(), now);
            behind.record(lag.isNegative() ? Duration.ZERO : lag);
            lagMs.set(Math.max(0, lag.toMillis()));
            lastCommitLsn.accumulateAndGet(v.commitLsn(), Math::max);
        }
    }

    void unreadableRecord() {
        unreadable.increment();
    }

    void storeFailure() {
        storeFailures.increment();
    }

    void droppedRuns(LongSupplier dropped) {
        Gauge.builder("dialectica.history.runs.dropped", dropped::getAsLong)
                .description("incomplete change groups dropped because a re-delivery started them again").register(registry);
    }

    public long versionsRecorded() {
        return (long) versions.count();
    }

    public long repeatsSkipped() {
        return (long) repeats.count();
    }

    public long groupsWithoutBase() {
        return (long) withoutBase.count();
    }

    public long unreadable() {
        return (long) unreadable.count();
    }

    public long storeFailures() {
        return (long) storeFailures.count();
    }

    public long lagMs() {
        return lagMs.get();
    }

    public long lastCommitLsn() {
        return lastCommitLsn.get();
    }
}
