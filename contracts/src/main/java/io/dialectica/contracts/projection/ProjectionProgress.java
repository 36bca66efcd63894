package io.dialectica.contracts.projection;

import io.dialectica.contracts.Lsn;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A projector's positions, for read-your-writes (docs/events.md, "Consistency tokens"): per partition
 * the highest commit LSN applied or passed, the low watermark over all of them, and the commit LSN of
 * recently applied groups per key. Advance it only after the store transaction committed.
 *
 * <p>Thread-safe: the consuming thread advances it, request threads wait on it.
 */
public final class ProjectionProgress {

    private final Map<String, Map<Integer, Long>> positions = new HashMap<>();
    private final Map<String, Long> recentlyApplied;
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

    /** @param recentKeys how many keys' applied positions to keep in memory (older ones: ask the store) */
    public ProjectionProgress(int recentKeys) {
        this.recentlyApplied = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > recentKeys;
            }
        };
    }

    /** The partitions of a topic this instance consumes; the low watermark needs a position for each. */
    public void assigned(String topic, Collection<Integer> partitions) {
        synchronized (this) {
            Map<Integer, Long> byPartition = positions.computeIfAbsent(topic, t -> new HashMap<>());
            for (Integer p : partitions) {
                byPartition.putIfAbsent(p, 0L);
            }
        }
        signal();
    }

    public void revoked(String topic, Collection<Integer> partitions) {
        synchronized (this) {
            Map<Integer, Long> byPartition = positions.get(topic);
            if (byPartition != null) {
                partitions.forEach(byPartition::remove);
            }
        }
        signal();
    }

    /** A partition's position moved (a group applied or skipped as a repeat, or a watermark). */
    public void advance(String topic, int partition, long commitLsn) {
        synchronized (this) {
            positions.computeIfAbsent(topic, t -> new HashMap<>()).merge(partition, commitLsn, Math::max);
        }
        signal();
    }

    /** A group of this key was applied (or found already applied) at this commit LSN. */
    public void applied(String key, long commitLsn) {
        synchronized (this) {
            recentlyApplied.merge(key, commitLsn, Math::max);
        }
        signal();
    }

    /** The applied commit LSN of a key, if it was applied recently; otherwise the store knows. */
    public synchronized OptionalLong recentlyApplied(String key) {
        Long lsn = recentlyApplied.get(key);
        return lsn == null ? OptionalLong.empty() : OptionalLong.of(lsn);
    }

    /** Minimum over every assigned partition of every topic; 0 before anything was assigned. */
    public synchronized long lowWatermark() {
        long low = Long.MAX_VALUE;
        for (Map<Integer, Long> byPartition : positions.values()) {
            for (long p : byPartition.values()) {
                low = Math.min(low, p);
            }
        }
        return low == Long.MAX_VALUE ? 0 : low;
    }

    /** Positions per topic and partition, for health details and metrics. */
    public synchronized Map<String, Map<Integer, Long>> positions() {
        Map<String, Map<Integer, Long>> copy = new HashMap<>();
        positions.forEach((topic, byPartition) -> copy.put(topic, Map.copyOf(byPartition)));
        return copy;
    }

    /** Read-your-writes for one concept: its own group applied, or everything up to the token passed. */
    public boolean coversKey(String key, long storedAppliedLsn, String token) {
        long wanted = Lsn.parse(token);
        long applied = Math.max(storedAppliedLsn, recentlyApplied(key).orElse(0));
        return applied >= wanted || lowWatermark() >= wanted;
    }

    /** Read-your-writes across concepts. */
    public boolean coversAll(String token) {
        return lowWatermark() >= Lsn.parse(token);
    }

    /**
     * Completes with true as soon as the condition holds (checked now and after every advance), or
     * with false when the timeout passes first. Never completes exceptionally.
     */
    public CompletableFuture<Boolean> await(BooleanSupplier condition, Duration timeout) {
        if (condition.getAsBoolean()) {
            return CompletableFuture.completedFuture(true);
        }
        Waiter waiter = new Waiter(condition, new CompletableFuture<>());
        waiters.add(waiter);
        waiter.result.completeOnTimeout(false, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> waiters.remove(waiter));
        // an advance between the first check and the registration would otherwise be missed
        if (condition.getAsBoolean()) {
            waiter.result.complete(true);
        }
        return waiter.result;
    }

    /**
     * Readers currently waiting in {@link #await}: a projector that makes its writes visible lazily (a search
     * index's periodic refresh) can make them visible at once while somebody waits.
     */
    public int waiting() {
        int count = 0;
        for (Waiter waiter : waiters) {
            if (!waiter.result.isDone()) {
                count++;
            }
        }
        return count;
    }

    private void signal() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
            Waiter waiter = it.next();
            if (!waiter.result.isDone() && waiter.condition.getAsBoolean()) {
                waiter.result.complete(true);
            }
        }
    }

    private record Waiter(BooleanSupplier condition, CompletableFuture<Boolean> result) {
    }
}
