package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.BulkBody;
import io.dialectica.search.index.Indexes;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.progress.StoreProgress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Removes the tombstones of deleted concepts once nothing the stream can still deliver is older than them, and the
 * concepts' vectors in the side index with them (README, "Deletes: tombstones").
 *
 * <p>A tombstone keeps a deleted concept's version so that a re-delivered older change cannot resurrect it. The
 * stream re-delivers from the consumer group's committed offsets, which follow the applied positions poll by poll;
 * so once the low watermark over every partition has been past a tombstone's LSN for {@code retention} (1 h), the
 * tombstone guards against nothing but a record re-published by hand. Kept for ever, they were the index: after a
 * day of benchmarks 64,100 of its 64,312 documents were tombstones, and every merge and refresh carried them.
 *
 * <p>Every {@code purge-interval} this replica notes the low watermark ({@link PurgeHorizon}) and deletes the
 * tombstones below the newest note that is {@code retention} old, each delete conditional on the sequence number
 * the search saw (a document written meanwhile stays). Replicas may purge the same tombstones: the later delete
 * finds a conflict or nothing, which changes nothing.
 */
@ApplicationScoped
public class TombstonePurger {

    private static final Logger LOG = Logger.getLogger(TombstonePurger.class);
    static final int PAGE = 1000;
    /** At most this many pages per tick: a backlog goes over several ticks instead of one long burst. */
    private static final int MAX_PAGES = 20;

    private final SearchConfig config;
    private final Indexes indexes;
    private final OpenSearch os;
    private final StoreProgress progress;
    private final ObjectMapper mapper;
    private final Counter purged;
    private final PurgeHorizon horizon;
    private ScheduledExecutorService timer;

    public TombstonePurger(SearchConfig config, Indexes indexes, OpenSearch os, StoreProgress progress,
            ObjectMapper mapper, MeterRegistry registry) {
        this.config = config;
        this.indexes = indexes;
        this.os = os;
        this.progress = progress;
        this.mapper = mapper;
        this.horizon = new PurgeHorizon(config.tombstones().retention());
        this.purged = Counter.builder("dialectica.search.tombstones.purged")
                .description("Tombstones of deleted concepts removed after the retention").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.consumer().enabled() || config.tombstones().retention().isZero()) {
            return;
        }
        long every = config.tombstones().purgeInterval().toMillis();
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("search-tombstone-purger")
                .daemon().factory());
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void tick() {
        try {
            long below = horizon.note(System.nanoTime(), progress.appliedLow());
            if (below > 0) {
                int removed = purgeBelow(below);
                if (removed > 0) {
                    LOG.infof("purged %d tombstones of concepts deleted before LSN %d", removed, below);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("tombstone purge failed, next try in %s: %s", config.tombstones().purgeInterval(), e.getMessage());
        }
    }

    /**
     * Deletes the tombstones whose LSN is below {@code lsn} (at most {@value #MAX_PAGES} pages of {@value #PAGE})
     * and their concepts' vectors; returns how many tombstones went.
     */
    public int purgeBelow(long lsn) {
        int removed = 0;
        JsonNode after = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            JsonNode hits = os.call("POST", "/" + indexes.alias() + "/_search", tombstonesBelow(lsn, after))
                    .orThrow("searching tombstones").body().path("hits").path("hits");
            if (hits.isEmpty()) {
                break;
            }
            removed += delete(hits);
            after = hits.get(hits.size() - 1).path("sort");
            if (hits.size() < PAGE) {
                break;
            }
        }
        purged.increment(removed);
        return removed;
    }

    private ObjectNode tombstonesBelow(long lsn, JsonNode after) {
        ObjectNode body = mapper.createObjectNode();
        body.put("size", PAGE).put("_source", false).put("seq_no_primary_term", true).put("track_total_hits", false);
        ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("term").put("deleted", true);
        filter.addObject().putObject("range").putObject("appliedLsn").put("lt", lsn);
        ArrayNode sort = body.putArray("sort");
        sort.addObject().put("appliedLsn", "asc");
        sort.addObject().put("id", "asc");
        if (after != null) {
            body.set("search_after", after);
        }
        return body;
    }

    /** One bulk: each tombstone unless it changed since the search, and its vector; returns the tombstones deleted. */
    private int delete(JsonNode hits) {
        BulkBody bulk = new BulkBody(mapper, 16 * 1024);
        for (JsonNode hit : hits) {
            String id = hit.path("_id").asText();
            bulk.deleteIfUnchanged(hit.path("_index").asText(), id, hit.path("_seq_no").asLong(),
                    hit.path("_primary_term").asLong());
            if (config.embeddings().enabled()) {
                bulk.delete(indexes.embeddings(), id);
            }
        }
        int deleted = 0;
        for (JsonNode item : os.ndjson("/_bulk", bulk.bytes()).orThrow("purging tombstones").body().path("items")) {
            JsonNode result = item.path("delete");
            if (!result.path("_index").asText().equals(indexes.embeddings())
                    && "deleted".equals(result.path("result").asText())) {
                deleted++;
            }
        }
        return deleted;
    }
}
