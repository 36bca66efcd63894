package io.dialectica.search.progress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.OpenSearch;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * This replica's cached view of the positions the <b>index</b> holds (its progress documents, {@link ProgressDocs}):
 * every partition of both topics, whoever applied them. Fed by this replica's projector (after its writes were
 * acknowledged), by the other replicas' notifications ({@link ProgressChannel}, Redis pub/sub) and, while token
 * readers wait and no notification arrives, by reading the progress documents from the index (realtime mget).
 *
 * <p>It says what is <b>applied</b> (durable in the index), not what is searchable: a token read waits here until
 * its token is applied, then makes sure a refresh covers it and checks the progress documents in its own search
 * answer ({@link io.dialectica.search.service.Consistency}). A view that is behind only delays a read; it can never
 * make one stale.
 */
@ApplicationScoped
public class StoreProgress {

    private static final Logger LOG = Logger.getLogger(StoreProgress.class);

    private final SearchConfig config;
    private final OpenSearch os;
    private final ObjectMapper mapper;
    private final List<String> topics;
    /** Positions per partition (advance only), waiters; partitions 0..n-1 of a topic are "assigned" once n is known. */
    private final ProjectionProgress positions = new ProjectionProgress(1);
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicLong verified = new AtomicLong();
    private final AtomicLong storeReads = new AtomicLong();
    private volatile long lastRemoteNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile boolean bootstrapped;
    /** This replica's projector consumes every partition of both topics (set by it at each rebalance and stop). */
    private volatile boolean ownsEveryPartition;
    /** When the poller last read the store (the owner poll interval counts from it). */
    private long lastStoreReadNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private ScheduledExecutorService poller;

    public StoreProgress(SearchConfig config, OpenSearch os, ObjectMapper mapper) {
        this.config = config;
        this.os = os;
        this.mapper = mapper;
        this.topics = List.of(config.topics().conceptChanges(), config.topics().categoryChanges());
    }

    void onStart(@Observes StartupEvent event) {
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "search-progress");
            t.setDaemon(true);
            return t;
        });
        long interval = Math.max(10, config.progress().pollInterval().toMillis());
        poller.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    public List<String> topics() {
        return topics;
    }

    /** A partition's applied position, from any source; positions only move forward. */
    public void observe(ProgressDocs.Position position) {
        if (!topics.contains(position.topic())) {
            return;
        }
        learnCount(position.topic(), position.partitions());
        positions.advance(position.topic(), position.partition(), position.lsn());
    }

    /** Positions another replica announced (or this one, echoed by Redis). */
    public void observeRemote(Collection<ProgressDocs.Position> announced) {
        lastRemoteNanos = System.nanoTime();
        announced.forEach(this::observe);
    }

    /** How many partitions a topic has (from Kafka's metadata, by this replica's consumer). */
    public void learnCount(String topic, int partitions) {
        if (partitions <= 0 || !topics.contains(topic)) {
            return;
        }
        Integer before = counts.get(topic);
        if (before == null || partitions > before) {
            counts.merge(topic, partitions, Math::max);
            positions.assigned(topic, IntStream.range(0, partitions).boxed().toList());
        }
    }

    public Map<String, Integer> counts() {
        return Map.copyOf(counts);
    }

    /** Minimum applied position over every partition of both topics; 0 while a partition count is unknown. */
    public long appliedLow() {
        for (String topic : topics) {
            if (!counts.containsKey(topic)) {
                return 0;
            }
        }
        return positions.lowWatermark();
    }

    /** Positions per topic and partition, for health details. */
    public Map<String, Map<Integer, Long>> positions() {
        return positions.positions();
    }

    /** Completes with true once {@link #appliedLow()} ≥ {@code lsn}, false after the timeout. */
    public CompletableFuture<Boolean> awaitApplied(long lsn, Duration timeout) {
        return positions.await(() -> appliedLow() >= lsn, timeout);
    }

    /** Token readers waiting for a position to be applied. */
    public int waiting() {
        return positions.waiting();
    }

    /**
     * The low watermark that the progress documents of one search answer prove for that answer; also learns
     * their positions.
     */
    public long verified(List<ProgressDocs.Position> docs) {
        long low = ProgressDocs.low(docs, topics, counts);
        docs.forEach(this::observe);
        verified.accumulateAndGet(low, Math::max);
        return low;
    }

    /** The highest low watermark a search answer of this replica has proven (health detail). */
    public long verifiedLow() {
        return verified.get();
    }

    /** Reads of the progress documents from the index (the fallback path), for health details. */
    public long storeReads() {
        return storeReads.get();
    }

    /** Reads the progress documents now (realtime when the partition counts are known). Never throws. */
    public void readStore() {
        try {
            List<ProgressDocs.Position> found;
            String alias = config.index().alias();
            boolean known = topics.stream().allMatch(counts::containsKey);
            if (known) {
                ObjectNode body = mapper.createObjectNode();
                ArrayNode ids = body.putArray("ids");
                counts.forEach((topic, n) -> IntStream.range(0, n).forEach(p -> ids.add(ProgressDocs.id(topic, p))));
                OpenSearch.Reply reply = os.call("POST", "/" + alias + "/_mget?realtime=true", body);
                if (!reply.ok()) {
                    return;
                }
                found = ProgressDocs.fromDocs(reply.body().path("docs"));
            } else {
                ObjectNode body = mapper.createObjectNode();
                body.put("size", 100);
                body.putObject("query").putObject("term").put("kind", ProgressDocs.KIND);
                OpenSearch.Reply reply = os.call("POST", "/" + alias + "/_search", body);
                if (!reply.ok()) {
                    return;
                }
                List<JsonNode> hits = new ArrayList<>();
                reply.body().path("hits").path("hits").forEach(hits::add);
                found = ProgressDocs.fromDocs(hits);
            }
            storeReads.incrementAndGet();
            found.forEach(this::observe);
            bootstrapped = true;
        } catch (RuntimeException e) {
            LOG.debugf("reading the progress documents failed: %s", e.getMessage());
        }
    }

    /**
     * Whether this replica's projector consumes every partition of both topics. Then, within the group, nobody else
     * writes progress documents and its own projector tells this view each one at once: the store is read for
     * waiting readers only every {@code owner-poll-interval}, for a writer outside the group whose notification
     * was lost too.
     */
    public void ownsEveryPartition(boolean owns) {
        ownsEveryPartition = owns;
    }

    /**
     * Polls the store only while somebody waits and no notification came for a poll interval (or at start); while
     * this replica owns every partition, at most every owner poll interval. With one replica the fast polls were
     * realtime {@code _mget}s of every progress document whenever its own notification took longer than the
     * interval to come back (77 in one run at 100 changes/s).
     */
    private void tick() {
        if (bootstrapped && positions.waiting() == 0) {
            return;
        }
        long now = System.nanoTime();
        if (bootstrapped && now - lastRemoteNanos < config.progress().pollInterval().toNanos()) {
            return;
        }
        if (bootstrapped && ownsEveryPartition
                && now - lastStoreReadNanos < config.progress().ownerPollInterval().toNanos()) {
            return;
        }
        lastStoreReadNanos = now;
        readStore();
    }
}
