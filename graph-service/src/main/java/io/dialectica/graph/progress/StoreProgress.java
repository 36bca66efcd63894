package io.dialectica.graph.progress;

import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.projection.PartitionPosition;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * This replica's cached view of the positions <b>Neo4j</b> holds: the {@code (:ProjectionProgress)} node of every
 * partition of both change topics, whichever replica wrote it ({@link PartitionPosition}), and the applied LSN of the
 * concepts readers wait for. Read-your-writes is decided against this view (README, "Read-your-writes with several
 * replicas"), so it does not matter which replica consumes which partition.
 *
 * <p>Fed three ways, and it only ever moves forward:
 * <ol>
 * <li>by this replica's projector, right after each of its transactions committed (the positions it wrote, the keys
 * it applied): a read on the replica that applied the write is released at once, as with one instance;</li>
 * <li>while token readers wait and the view does not cover them: by reading the progress nodes (and the waited-for
 * concepts' applied LSN) from Neo4j at once, then at most every {@code dialectica.graph.progress.poll-interval}
 * (10 ms) until nobody waits — one small query per interval for all waiting readers together, none when the view
 * already covers a token; <b>every {@code owner-poll-interval} (200 ms) instead while this replica's projector owns
 * every partition</b> of both topics: then 1. tells the view everything the group writes at once, and only a writer
 * outside the group (a replica the group gave up on that still commits, the previous owner around a rebalance) is
 * seen in the store alone;</li>
 * <li>every {@code refresh-interval} (1 s) in the background, so the health details and the low-watermark gauge
 * stay current.</li>
 * </ol>
 * A view that is behind only delays a read; it cannot make one stale: every value in it was read from (or written
 * in) a committed Neo4j transaction that also holds the changes the value covers.
 */
@ApplicationScoped
public class StoreProgress {

    private static final Logger LOG = Logger.getLogger(StoreProgress.class);

    static final String READ_POSITIONS = """
            MATCH (p:ProjectionProgress) WHERE p.topic IN $topics
            RETURN p.topic AS topic, p.partition AS partition, p.position AS position,
                   coalesce(p.partitions, 0) AS partitions""";

    static final String READ_APPLIED = """
            UNWIND $ids AS id
            OPTIONAL MATCH (c:Concept {id: id})
            OPTIONAL MATCH (t:DeletedConcept {id: id})
            RETURN id, coalesce(c.appliedLsn, 0) AS live, coalesce(t.appliedLsn, 0) AS deleted""";

    private static final int MAX_KEYS_PER_READ = 1000;

    private final Driver driver;
    private final List<String> topics;
    private final long pollNanos;
    private final long ownerPollNanos;
    private final long refreshNanos;
    private final int recentKeys;

    /** topic → partition → position; topic → partition count (the highest any writer saw). */
    private final Map<String, Map<Integer, Long>> positions = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Long> applied;
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final Object monitor = new Object();
    private final Object reading = new Object();
    private final AtomicLong storeReads = new AtomicLong();
    private final AtomicLong storeReadFailures = new AtomicLong();
    private volatile long lastReadNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile boolean running;
    private volatile boolean refreshWanted;
    /** The partitions this replica's projector owns now (topic → partitions), from its rebalance listener. */
    private volatile Map<String, Set<Integer>> owned = Map.of();
    private Thread thread;

    public StoreProgress(Driver driver, GraphConfig config) {
        this.driver = driver;
        this.topics = List.of(config.topics().conceptChanges(), config.topics().categoryChanges());
        this.pollNanos = Math.max(1, config.progress().pollInterval().toNanos());
        this.ownerPollNanos = Math.max(pollNanos, config.progress().ownerPollInterval().toNanos());
        this.refreshNanos = Math.max(pollNanos, config.progress().refreshInterval().toNanos());
        this.recentKeys = config.projection().recentKeys();
        this.applied = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > recentKeys;
            }
        };
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "graph-progress");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    // ---- what the view says -----------------------------------------------------------------------

    /**
     * The low watermark of the store: the minimum position over every partition of both topics. 0 while a topic's
     * partition count is unknown or a partition has no progress node yet (nothing of it is known to be applied).
     */
    public synchronized long lowWatermark() {
        long low = Long.MAX_VALUE;
        for (String topic : topics) {
            int count = counts.getOrDefault(topic, 0);
            Map<Integer, Long> byPartition = positions.get(topic);
            if (count == 0 || byPartition == null) {
                return 0;
            }
            for (int p = 0; p < count; p++) {
                Long position = byPartition.get(p);
                if (position == null) {
                    return 0;
                }
                low = Math.min(low, position);
            }
        }
        return low == Long.MAX_VALUE ? 0 : low;
    }

    /** Every partition's position as the view knows it ({@code <topic>-<partition>} → LSN), for health details. */
    public synchronized Map<String, Long> positions() {
        Map<String, Long> copy = new LinkedHashMap<>();
        for (String topic : topics) {
            positions.getOrDefault(topic, Map.of()).forEach((p, lsn) -> copy.put(topic + "-" + p, lsn));
        }
        return copy;
    }

    /** One concept's read: its own group applied at or past the LSN, or everything up to it (low watermark). */
    public synchronized boolean coversKey(String key, long wanted) {
        Long lsn = applied.get(key);
        return (lsn != null && lsn >= wanted) || lowWatermark() >= wanted;
    }

    /** A read across concepts: the low watermark at or past the LSN. */
    public boolean coversAll(long wanted) {
        return lowWatermark() >= wanted;
    }

    public long storeReads() {
        return storeReads.get();
    }

    public long storeReadFailures() {
        return storeReadFailures.get();
    }

    /** Milliseconds since the view was last read from Neo4j (what this replica's projector wrote is in it at once). */
    public long ageMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReadNanos);
    }

    // ---- what moves it -----------------------------------------------------------------------------

    /** This replica's projector committed a transaction holding these positions and these keys' groups. */
    public void learned(Collection<PartitionPosition> written, Map<String, Long> appliedKeys) {
        synchronized (this) {
            for (PartitionPosition p : written) {
                position(p.topic(), p.partition(), p.lsn(), p.partitions());
            }
            appliedKeys.forEach((key, lsn) -> applied.merge(key, lsn, Math::max));
        }
        signal();
    }

    /** The partitions this replica's projector owns, after each assignment or revocation. */
    public void owned(Map<String, Set<Integer>> partitions) {
        Map<String, Set<Integer>> copy = new HashMap<>();
        partitions.forEach((topic, ps) -> copy.put(topic, Set.copyOf(ps)));
        owned = Map.copyOf(copy);
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /**
     * True when this replica's projector owns every partition of both topics (as many as the positions say each
     * topic has): within the group nobody else writes, so its own projector tells the view what waiting readers need
     * at once, and the store is polled only every {@code owner-poll-interval} for writers outside the group.
     */
    public boolean ownsEveryPartition() {
        Map<String, Set<Integer>> mine = owned;
        synchronized (this) {
            for (String topic : topics) {
                int count = counts.getOrDefault(topic, 0);
                Set<Integer> partitions = mine.getOrDefault(topic, Set.of());
                if (count == 0 || partitions.size() < count) {
                    return false;
                }
                for (int p = 0; p < count; p++) {
                    if (!partitions.contains(p)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** A concept's applied LSN as a read just found it in Neo4j. */
    public void applied(String key, long lsn) {
        if (lsn <= 0) {
            return;
        }
        synchronized (this) {
            applied.merge(key, lsn, Math::max);
        }
        signal();
    }

    private void position(String topic, int partition, long lsn, int partitions) {
        positions.computeIfAbsent(topic, t -> new HashMap<>()).merge(partition, lsn, Math::max);
        if (partitions > 0) {
            counts.merge(topic, partitions, Math::max);
        }
    }

    /**
     * Completes with true as soon as the condition holds (checked now, after every change of the view), false when
     * the timeout passes first; never exceptionally. While it waits, the view is read from Neo4j at once and then
     * every poll interval, including {@code key}'s applied LSN when one is given.
     */
    public CompletableFuture<Boolean> await(BooleanSupplier condition, Duration timeout, String key) {
        if (condition.getAsBoolean()) {
            return CompletableFuture.completedFuture(true);
        }
        Waiter waiter = new Waiter(condition, key, new CompletableFuture<>());
        waiters.add(waiter);
        waiter.result.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> waiters.remove(waiter));
        // a change between the first check and the registration would otherwise be missed
        if (condition.getAsBoolean()) {
            waiter.result.complete(true);
        } else {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
        return waiter.result;
    }

    /** Readers waiting now. */
    public int waiting() {
        int count = 0;
        for (Waiter w : waiters) {
            if (!w.result.isDone()) {
                count++;
            }
        }
        return count;
    }

    /**
     * Asks for a read of the store soon (within a poll interval) unless the view was read less than {@code maxAge}
     * ago; never blocks (health checks run on the event loop). The caller sees the view as it is now.
     */
    public void refreshSoon(Duration maxAge) {
        if (System.nanoTime() - lastReadNanos >= maxAge.toNanos()) {
            refreshWanted = true;
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    private void signal() {
        for (Waiter w : waiters) {
            if (!w.result.isDone() && w.condition.getAsBoolean()) {
                w.result.complete(true);
            }
        }
    }

    private void run() {
        while (running) {
            try {
                // while this replica owns every partition its own projector tells the view nearly everything, and the
                // store is polled slowly for the rest: at 10 ms with 20 token reads/s these polls were ~100 Neo4j
                // queries/s, and Neo4j took 0.31-0.39 cores instead of 0.21 (one replica; docs/benchmarks.md, session 13)
                long interval = refreshWanted ? pollNanos
                        : waiting() == 0 ? refreshNanos
                        : ownsEveryPartition() ? ownerPollNanos : pollNanos;
                long due = lastReadNanos + interval;
                long now = System.nanoTime();
                if (now < due) {
                    synchronized (monitor) {
                        long ms = TimeUnit.NANOSECONDS.toMillis(due - now);
                        int ns = (int) ((due - now) % 1_000_000);
                        monitor.wait(ms, ms == 0 ? Math.max(ns, 1) : 0);
                    }
                    continue;
                }
                read();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("progress view: unexpected failure", e);
            }
        }
    }

    /** One read of the progress nodes, and of the waited-for keys' applied LSN. */
    private void read() {
        refreshWanted = false;
        synchronized (reading) {
            Set<String> keys = new LinkedHashSet<>();
            for (Waiter w : waiters) {
                if (w.key != null && !w.result.isDone() && keys.size() < MAX_KEYS_PER_READ) {
                    keys.add(w.key);
                }
            }
            TransactionConfig timeout = TransactionConfig.builder().withTimeout(Duration.ofSeconds(2)).build();
            try (Session session = driver.session(Session.class, SessionConfig.builder()
                    .withDefaultAccessMode(org.neo4j.driver.AccessMode.READ).build())) {
                List<Record> nodes = session.run(READ_POSITIONS, Map.of("topics", topics), timeout).list();
                List<Record> keyed = keys.isEmpty() ? List.of()
                        : session.run(READ_APPLIED, Map.of("ids", new ArrayList<>(keys)), timeout).list();
                synchronized (this) {
                    for (Record r : nodes) {
                        if (r.get("position").isNull() || r.get("partition").isNull()) {
                            continue;
                        }
                        position(r.get("topic").asString(), r.get("partition").asInt(), r.get("position").asLong(),
                                r.get("partitions").asInt());
                    }
                    for (Record r : keyed) {
                        long lsn = Math.max(r.get("live").asLong(), r.get("deleted").asLong());
                        if (lsn > 0) {
                            applied.merge(r.get("id").asString(), lsn, Math::max);
                        }
                    }
                }
                storeReads.incrementAndGet();
            } catch (RuntimeException e) {
                long failures = storeReadFailures.incrementAndGet();
                if (failures == 1 || failures % 100 == 0) {
                    LOG.warnf("reading the projection progress from Neo4j failed (%d times so far): %s", failures,
                            e.getMessage());
                }
            } finally {
                // also after a failure: the next attempt waits a poll interval instead of spinning
                lastReadNanos = System.nanoTime();
            }
        }
        signal();
    }

    private record Waiter(BooleanSupplier condition, String key, CompletableFuture<Boolean> result) {
    }
}
