package io.dialectica.e2e.bench;

import io.dialectica.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits, before a rate's warm-up, until the stack has absorbed what came before: every consumer group of the
 * change and embedding topics that has members has consumed them to the end, and then the machine is quiet for a few seconds.
 *
 * <p>Why: the benchmark's setup creates 200 concepts through the API in a burst (and each rate leaves the next one
 * its backlog). Measured on 2026-12-07 with a plain consumer and a per-poll log in search-service: for 20–30 s after
 * the burst, changes reached the projectors 0.5–1 s late and the projectors worked through the burst's groups and
 * embeddings, so a short warm-up measured the setup, not the rate. A rate's figures must start from a stack that is
 * caught up, whatever came before; the warm-up then brings the rate's own steady state.
 */
final class Quiescence {

    /** The topics whose consumers must have caught up: the change topics and the vectors graph-service publishes. */
    private static final Set<String> TOPICS = Set.of(Topics.CONCEPT_CHANGES, Topics.CATEGORY_CHANGES,
            Topics.CONCEPT_EMBEDDINGS);
    private static final Duration STEP = Duration.ofMillis(500);
    /** Consecutive quiet seconds required. */
    private static final int QUIET_SECONDS = 3;

    private final String bootstrap;
    private final Duration max;
    private final double busyPercent;

    Quiescence(String bootstrap, Duration max, double busyPercent) {
        this.bootstrap = bootstrap;
        this.max = max;
        this.busyPercent = busyPercent;
    }

    /** Waits (at most {@code max} in all) and says what it found, for the benchmark's log. */
    String await() throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + max.toNanos();
        long lag = caughtUp(deadline);
        double caughtSeconds = (System.nanoTime() - started) / 1e9;
        if (lag != 0) {
            return String.format(Locale.ROOT, "NOT caught up after %.0f s (%s records not consumed): measured anyway",
                    caughtSeconds, lag < 0 ? "unknown" : Long.toString(lag));
        }
        double busy = quiet(deadline);
        double total = (System.nanoTime() - started) / 1e9;
        if (busy > busyPercent) {
            return String.format(Locale.ROOT, "caught up in %.1f s, NOT quiet after %.0f s (machine %.0f %% busy): measured"
                    + " anyway", caughtSeconds, total, busy);
        }
        return String.format(Locale.ROOT, "caught up in %.1f s, quiet (%d s ≤ %.0f %% busy, last %.0f %%) after %.1f s",
                caughtSeconds, QUIET_SECONDS, busyPercent, busy, total);
    }

    /** 0 once every group of {@link #TOPICS} has consumed them to the end; otherwise what is left (-1: unknown). */
    private long caughtUp(long deadline) throws InterruptedException {
        long lag = -1;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000))) {
            while (System.nanoTime() < deadline) {
                try {
                    lag = lag(admin);
                } catch (ExecutionException | TimeoutException e) {
                    lag = -1;
                }
                if (lag == 0) {
                    return 0;
                }
                Thread.sleep(STEP.toMillis());
            }
        }
        return lag;
    }

    private static long lag(Admin admin) throws ExecutionException, InterruptedException,
            TimeoutException {
        Map<TopicPartition, Long> committed = new HashMap<>();   // the smallest committed offset over the groups
        for (ConsumerGroupListing group : admin.listConsumerGroups().all().get(5, TimeUnit.SECONDS)) {
            // a group without members (a test's, an old run's) never moves: only the running consumers count
            if (group.groupState().map(state -> state == GroupState.EMPTY || state == GroupState.DEAD).orElse(false)) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            offsets.forEach((tp, offset) -> {
                if (offset != null && TOPICS.contains(tp.topic())) {
                    committed.merge(tp, offset.offset(), Math::min);
                }
            });
        }
        if (committed.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(5, TimeUnit.SECONDS);
        long lag = 0;
        for (var entry : committed.entrySet()) {
            lag += Math.max(0, ends.get(entry.getKey()).offset() - entry.getValue());
        }
        return lag;
    }

    /** Waits for {@link #QUIET_SECONDS} seconds in a row at most {@code busyPercent} busy; the last second's figure. */
    private double quiet(long deadline) throws InterruptedException {
        int quietInARow = 0;
        double busy = 100;
        long[] before = ProcessCpu.machineJiffies();
        while (quietInARow < QUIET_SECONDS && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long[] now = ProcessCpu.machineJiffies();
            if (before == null || now == null) {
                return 0;   // no /proc/stat (not Linux): the catch-up alone
            }
            long total = now[0] - before[0];
            busy = total <= 0 ? 0 : 100.0 * (total - (now[1] - before[1])) / total;
            quietInARow = busy <= busyPercent ? quietInARow + 1 : 0;
            before = now;
        }
        return busy;
    }
}
