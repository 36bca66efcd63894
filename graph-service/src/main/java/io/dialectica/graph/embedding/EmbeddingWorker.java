package io.dialectica.graph.embedding;

import io.dialectica.contracts.embedding.ConceptEmbedding;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.messaging.EmbeddingPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Embeds concepts off the projection's path (README, "Similar concepts: embeddings"). The projector hands over,
 * after each committed transaction, the concepts whose text may have changed and the renamed categories
 * ({@link #changed}): that is a few map insertions, it never waits. One thread ({@code graph-embedding}) then, batch
 * by batch: reads the concepts' texts from Neo4j, embeds only those whose text key differs from their stored
 * vector's (an edit of a weight or a position costs one read and no model call), and stores the vectors, each only
 * if the concept's text is still the one embedded.
 *
 * <p><b>Bounded, coalescing queue.</b> An id waits at most once however often it changes meanwhile (the newest text
 * is read when its turn comes). Beyond {@code queue-capacity} ids are not queued but the queue is marked
 * overflowed: when it is empty again the worker sweeps this replica's concepts for stale vectors. So memory stays
 * bounded and the projector is never held up, and nothing is lost, only later. A restart loses the queue the same
 * way and is recovered the same way: every partition assignment sweeps the concepts of the new partitions.
 *
 * <p><b>Replicas.</b> Each replica embeds what its projector applies, and sweeps the concepts of the concept-topic
 * partitions it is assigned (a concept's partition is its key's, as Kafka's default partitioner computes it).
 *
 * <p>The CPU it takes is bounded by {@code duty-cycle}: after a batch that took t, it rests t × (1 − d) / d.
 */
@ApplicationScoped
public class EmbeddingWorker {

    private static final Logger LOG = Logger.getLogger(EmbeddingWorker.class);

    private final GraphConfig.Embedding config;
    private final EmbeddingStore store;
    private final ConceptEmbedder embedder;
    private final EmbeddingPublisher publisher;

    /** Concept ids waiting, with the time each was first queued (ms); guarded by {@code this}. */
    private final LinkedHashMap<String, Long> concepts = new LinkedHashMap<>();
    /** Renamed categories waiting (their concepts are read when their turn comes); guarded by {@code this}. */
    private final LinkedHashMap<String, Long> categories = new LinkedHashMap<>();
    private boolean overflowed;
    /** The sweep under way: the last concept id checked ("" from the start); null: none. */
    private String sweepAfter;
    private boolean sweepAgain;

    /** The concept-topic partitions this replica consumes, and the topic's partition count (sweeps). */
    private final Set<Integer> ownPartitions = ConcurrentHashMap.newKeySet();
    private volatile int partitionCount;

    private final Counter embedded;
    private final Counter unchanged;
    private final Counter notQueued;
    private final Counter failures;
    private final Counter swept;
    private final Timer delay;
    private final Timer batchTime;

    private volatile boolean running;
    private Thread thread;

    public EmbeddingWorker(GraphConfig config, EmbeddingStore store, ConceptEmbedder embedder,
            EmbeddingPublisher publisher, MeterRegistry registry) {
        this.config = config.embedding();
        this.store = store;
        this.embedder = embedder;
        this.publisher = publisher;
        embedded = Counter.builder("dialectica.graph.embeddings.written")
                .description("Concept vectors computed and stored (text new or changed)").register(registry);
        unchanged = Counter.builder("dialectica.graph.embeddings.unchanged")
                .description("Concepts checked whose text was unchanged: no model call").register(registry);
        notQueued = Counter.builder("dialectica.graph.embeddings.overflow")
                .description("Ids not queued because the queue was full (a sweep catches them up)").register(registry);
        failures = Counter.builder("dialectica.graph.embeddings.failures")
                .description("Batches that failed (Neo4j or the model) and were queued again").register(registry);
        swept = Counter.builder("dialectica.graph.embeddings.swept")
                .description("Concepts checked by sweeps for stale vectors").register(registry);
        delay = Timer.builder("dialectica.graph.embedding.delay")
                .description("How far the vector follows the graph: change applied in Neo4j to its vector stored")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        batchTime = Timer.builder("dialectica.graph.embedding.batch")
                .description("One batch: texts read, embedded and stored").register(registry);
        Gauge.builder("dialectica.graph.embedding.queue", this, w -> w.queued())
                .description("Concept and category ids waiting to be embedded").register(registry);
        Gauge.builder("dialectica.graph.embedding.sweeping", this, w -> w.sweeping() ? 1 : 0)
                .description("1 while a sweep for stale vectors is under way").register(registry);
        Gauge.builder("dialectica.graph.embedding.lag", this, w -> (double) w.lagMs())
                .description("Age of the oldest waiting id (0: nothing waits)").baseUnit("milliseconds")
                .register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("embeddings disabled (dialectica.graph.embedding.enabled=false)");
            return;
        }
        running = true;
        thread = new Thread(this::run, "graph-embedding");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** After a projection transaction committed: concepts whose text may differ now, renamed categories. */
    public void changed(Collection<String> conceptIds, Collection<String> categoryIds) {
        if (!running || (conceptIds.isEmpty() && categoryIds.isEmpty())) {
            return;
        }
        long now = System.currentTimeMillis();
        synchronized (this) {
            for (String id : conceptIds) {
                offer(concepts, id, now);
            }
            for (String id : categoryIds) {
                offer(categories, id, now);
            }
            notifyAll();
        }
    }

    private void offer(LinkedHashMap<String, Long> queue, String id, long now) {
        if (queue.containsKey(id)) {
            return;
        }
        if (concepts.size() + categories.size() >= config.queueCapacity()) {
            overflowed = true;
            notQueued.increment();
            return;
        }
        queue.put(id, now);
    }

    /** The projector was assigned concept-topic partitions: their concepts are checked for stale vectors. */
    public void assigned(Collection<Integer> partitions, int count) {
        ownPartitions.addAll(partitions);
        if (count > 0) {
            partitionCount = count;
        }
        if (config.sweep()) {
            requestSweep();
        }
    }

    public void revoked(Collection<Integer> partitions) {
        ownPartitions.removeAll(partitions);
    }

    /**
     * Checks this replica's concepts for stale or missing vectors once the queue is empty: for writers that bypass
     * the projector (a rebuild of the graph from PostgreSQL) and after an overflow.
     */
    public void sweep() {
        if (config.enabled() && config.sweep()) {
            requestSweep();
        }
    }

    private synchronized void requestSweep() {
        if (sweepAfter == null) {
            sweepAfter = "";
        } else {
            sweepAgain = true;
        }
        notifyAll();
    }

    public synchronized boolean sweeping() {
        return sweepAfter != null;
    }

    public synchronized int queued() {
        return concepts.size() + categories.size();
    }

    public synchronized long lagMs() {
        long oldest = Long.MAX_VALUE;
        if (!concepts.isEmpty()) {
            oldest = concepts.values().iterator().next();
        }
        if (!categories.isEmpty()) {
            oldest = Math.min(oldest, categories.values().iterator().next());
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
    }

    public long written() {
        return (long) embedded.count();
    }

    public long unchangedCount() {
        return (long) unchanged.count();
    }

    private void run() {
        long backoff = 200;
        while (running) {
            try {
                long start = System.nanoTime();
                boolean worked = step();
                backoff = 200;
                if (worked) {
                    rest(System.nanoTime() - start);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failures.increment();
                LOG.warnf("embedding batch failed, queued again (retry in %d ms): %s", backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    /** One batch of queued concepts, else of a renamed category's concepts, else one sweep page; waits when idle. */
    private boolean step() throws InterruptedException {
        Map<String, Long> batch = new LinkedHashMap<>();
        String category = null;
        Long categoryQueued = null;
        String sweepFrom = null;
        synchronized (this) {
            while (running && concepts.isEmpty() && categories.isEmpty() && sweepAfter == null) {
                if (overflowed && config.sweep()) {
                    overflowed = false;
                    LOG.info("the embedding queue overflowed: sweeping this replica's concepts for stale vectors");
                    sweepAfter = "";
                    break;
                }
                wait(1_000);
            }
            if (!concepts.isEmpty()) {
                Iterator<Map.Entry<String, Long>> it = concepts.entrySet().iterator();
                while (it.hasNext() && batch.size() < config.batchSize()) {
                    Map.Entry<String, Long> e = it.next();
                    batch.put(e.getKey(), e.getValue());
                    it.remove();
                }
            } else if (!categories.isEmpty()) {
                Iterator<Map.Entry<String, Long>> it = categories.entrySet().iterator();
                Map.Entry<String, Long> e = it.next();
                category = e.getKey();
                categoryQueued = e.getValue();
                it.remove();
            } else if (sweepAfter != null) {
                sweepFrom = sweepAfter;
            }
        }
        if (!batch.isEmpty()) {
            try {
                process(batch);
            } catch (RuntimeException e) {
                requeue(batch);
                throw e;
            }
            return true;
        }
        if (category != null) {
            try {
                // its concepts, at once, in batches like any other (the ids of one category are few here)
                List<String> ids = store.conceptsOf(List.of(category));
                for (int i = 0; i < ids.size(); i += config.batchSize()) {
                    Map<String, Long> part = new LinkedHashMap<>();
                    for (String id : ids.subList(i, Math.min(ids.size(), i + config.batchSize()))) {
                        part.put(id, categoryQueued);
                    }
                    process(part);
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    categories.putIfAbsent(category, categoryQueued);
                }
                throw e;
            }
            return true;
        }
        if (sweepFrom != null) {
            sweepPage(sweepFrom);
            return true;
        }
        return false;
    }

    private void sweepPage(String after) {
        List<String> page = store.page(after, config.sweepPageSize());
        List<String> own = new ArrayList<>();
        for (String id : page) {
            if (isOwn(id)) {
                own.add(id);
            }
        }
        for (int i = 0; i < own.size(); i += config.batchSize()) {
            Map<String, Long> part = new LinkedHashMap<>();
            for (String id : own.subList(i, Math.min(own.size(), i + config.batchSize()))) {
                part.put(id, null);
            }
            process(part);
        }
        swept.increment(own.size());
        synchronized (this) {
            if (page.size() < config.sweepPageSize()) {
                sweepAfter = sweepAgain ? "" : null;
                sweepAgain = false;
                if (sweepAfter == null) {
                    LOG.debug("embedding sweep done");
                }
            } else {
                sweepAfter = page.get(page.size() - 1);
            }
        }
    }

    /** Whether the concept's partition (its key's, by Kafka's default partitioner) is one this replica consumes. */
    private boolean isOwn(String conceptId) {
        int count = partitionCount;
        if (count <= 0) {
            return true;
        }
        int partition = Utils.toPositive(Utils.murmur2(conceptId.getBytes(StandardCharsets.UTF_8))) % count;
        return ownPartitions.contains(partition);
    }

    /** Embeds the concepts whose text changed; queuedAt null: found by a sweep (no delay recorded). */
    private void process(Map<String, Long> batch) {
        long start = System.nanoTime();
        List<EmbeddingStore.ConceptTextRow> rows = store.texts(batch.keySet());
        Map<String, String> textsByKey = new HashMap<>();
        List<String> staleIds = new ArrayList<>();
        for (EmbeddingStore.ConceptTextRow row : rows) {
            if (row.stale()) {
                textsByKey.putIfAbsent(row.key(), row.text());
                staleIds.add(row.id());
            }
        }
        unchanged.increment(rows.size() - staleIds.size());
        republish(rows);
        if (staleIds.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(textsByKey.keySet());
        List<String> texts = new ArrayList<>(keys.size());
        for (String key : keys) {
            texts.add(textsByKey.get(key));
        }
        List<float[]> vectors = embedder.embed(texts);
        Map<String, float[]> vectorsByKey = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            vectorsByKey.put(keys.get(i), vectors.get(i));
        }
        Map<String, String> stored = store.write(vectorsByKey, staleIds);
        embedded.increment(stored.size());
        publish(stored, vectorsByKey);
        long now = System.currentTimeMillis();
        for (String id : stored.keySet()) {
            Long queuedAt = batch.get(id);
            if (queuedAt != null) {
                delay.record(Duration.ofMillis(Math.max(0, now - queuedAt)));
            }
        }
        batchTime.record(Duration.ofNanos(System.nanoTime() - start));
    }

    /** The stored vectors (id → text key, after the Neo4j commit) go to search-service; acknowledged ones are marked. */
    private void publish(Map<String, String> stored, Map<String, float[]> vectorsByKey) {
        if (stored.isEmpty() || !publisher.enabled()) {
            return;
        }
        Instant now = Instant.now();
        List<ConceptEmbedding> events = new ArrayList<>(stored.size());
        stored.forEach((id, key) -> events.add(ConceptEmbedding.of(id, key, vectorsByKey.get(key), now)));
        markPublished(publisher.publish(events));
    }

    /**
     * Current vectors Kafka never acknowledged — stored before publishing existed, or a failed publish — are published
     * from Neo4j (no model call) when their concept is checked: by a sweep (every partition assignment) or an edit.
     */
    private void republish(List<EmbeddingStore.ConceptTextRow> rows) {
        if (!publisher.enabled()) {
            return;
        }
        Map<String, String> keys = new HashMap<>();
        for (EmbeddingStore.ConceptTextRow row : rows) {
            if (row.unpublished()) {
                keys.put(row.id(), row.key());
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<ConceptEmbedding> events = new ArrayList<>();
        store.vectors(keys.keySet()).forEach((id, stored) -> {
            if (stored.key().equals(keys.get(id))) {
                events.add(ConceptEmbedding.of(id, stored.key(), stored.vector(), now));
            }
        });
        markPublished(publisher.publish(events));
    }

    private void markPublished(List<ConceptEmbedding> acknowledged) {
        Map<String, String> keys = new HashMap<>();
        acknowledged.forEach(e -> keys.put(e.conceptId(), e.key()));
        store.published(keys);
    }

    private synchronized void requeue(Map<String, Long> batch) {
        // back to the front: they were first
        LinkedHashMap<String, Long> again = new LinkedHashMap<>();
        batch.forEach((id, at) -> {
            if (at != null) {
                again.put(id, at);
            }
        });
        concepts.forEach(again::putIfAbsent);
        concepts.clear();
        concepts.putAll(again);
    }

    private void rest(long busyNanos) throws InterruptedException {
        double d = config.dutyCycle();
        if (d >= 1 || d <= 0) {
            return;
        }
        long restMs = (long) (busyNanos / 1_000_000.0 * (1 - d) / d);
        if (restMs > 0) {
            Thread.sleep(Math.min(restMs, 5_000));
        }
    }
}
