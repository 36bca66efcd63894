package io.dialectica.cdc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics (/q/metrics):
 * {@code dialectica_cdc_events_total} (row changes published; events/s = rate()),
 * {@code dialectica_cdc_transactions_total}, {@code dialectica_cdc_behind_source_milliseconds}
 * (Kafka acknowledgement time minus source commit time of the last published transaction or heartbeat),
 * {@code dialectica_cdc_last_commit_lsn} (commit LSN of the last published transaction or heartbeat),
 * {@code dialectica_cdc_capture_latency_seconds} (commit → received by the connector: the floor),
 * {@code dialectica_cdc_publish_latency_seconds} (commit → acknowledged by Kafka) and
 * {@code dialectica_cdc_snapshot_reads_total{snapshot="initial|incremental"}} (rows read by a snapshot and
 * published, op {@code r}; also counted in the events).
 */
@ApplicationScoped
public class CdcMetrics {

    private final Counter events;
    private final Counter transactions;
    private final Counter initialReads;
    private final Counter incrementalReads;
    private final Timer captureLatency;
    private final Timer publishLatency;
    private final AtomicLong behindSourceMs = new AtomicLong(-1);
    private final AtomicLong lastCommitLsn = new AtomicLong(0);
    private final AtomicLong lastCommitTimeMs = new AtomicLong(0);

    public CdcMetrics(MeterRegistry registry) {
        events = Counter.builder("dialectica.cdc.events").description("Row changes published to Kafka")
                .register(registry);
        transactions = Counter.builder("dialectica.cdc.transactions")
                .description("Source transactions published to Kafka").register(registry);
        initialReads = Counter.builder("dialectica.cdc.snapshot.reads").tag("snapshot", "initial")
                .description("Rows read by a snapshot and published (op r)").register(registry);
        incrementalReads = Counter.builder("dialectica.cdc.snapshot.reads").tag("snapshot", "incremental")
                .description("Rows read by a snapshot and published (op r)").register(registry);
        captureLatency = Timer.builder("dialectica.cdc.capture.latency")
                .description("Source commit to the change being received by the connector")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        publishLatency = Timer.builder("dialectica.cdc.publish.latency")
                .description("Source commit to Kafka acknowledging the change")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        Gauge.builder("dialectica.cdc.behind.source", behindSourceMs, AtomicLong::doubleValue)
                .description("Milliseconds between the source commit and Kafka's acknowledgement of the last published "
                        + "transaction or heartbeat (-1 before the first)")
                .baseUnit("milliseconds").register(registry);
        Gauge.builder("dialectica.cdc.last.commit.lsn", lastCommitLsn, AtomicLong::doubleValue)
                .description("Commit LSN of the last transaction or heartbeat published (as a number)")
                .register(registry);
    }

    void published(Unit unit, int rowChanges, Instant receivedAt, Instant ackedAt) {
        if (unit.type() != Unit.Type.HEARTBEAT && unit.type() != Unit.Type.SIGNAL) {
            long reads = unit.changes().stream().filter(c -> c.snapshot() && Captured.isPublished(c.table())).count();
            (unit.type() == Unit.Type.SNAPSHOT ? initialReads : incrementalReads).increment(reads);
            events.increment(rowChanges);
            transactions.increment();
            captureLatency.record(nonNegative(Duration.between(unit.commitTime(), receivedAt)));
            publishLatency.record(nonNegative(Duration.between(unit.commitTime(), ackedAt)));
        }
        behindSourceMs.set(Math.max(0, Duration.between(unit.commitTime(), ackedAt).toMillis()));
        lastCommitLsn.set(unit.commitLsn());
        lastCommitTimeMs.set(unit.commitTime().toEpochMilli());
    }

    /** Rows of incremental snapshots published since the start of this process. */
    long incrementalReads() {
        return (long) incrementalReads.count();
    }

    long lastCommitLsn() {
        return lastCommitLsn.get();
    }

    long behindSourceMs() {
        return behindSourceMs.get();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
