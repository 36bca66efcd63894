package io.dialectica.search.config;

import io.dialectica.contracts.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/** Everything search-service reads from configuration (README: "Configuration"). */
@ConfigMapping(prefix = "dialectica.search")
public interface SearchConfig {

    TopicNames topics();

    Kafka kafka();

    Consumer consumer();

    Index index();

    Cache cache();

    Reindex reindex();

    Progress progress();

    Embeddings embeddings();

    Tombstones tombstones();

    /** How long a read with X-Consistency-Token waits for the projection before 504 projection-behind. */
    @WithDefault("2s")
    Duration consistencyWait();

    @WithDefault("20")
    int defaultPageSize();

    @WithDefault("100")
    int maxPageSize();

    @WithDefault("10")
    int defaultSuggestSize();

    @WithDefault("20")
    int maxSuggestSize();

    /** Entries per facet (traditions, categories). */
    @WithDefault("20")
    int facetSize();

    /** The purge of deleted concepts' tombstones (README, "Deletes: tombstones"). */
    interface Tombstones {
        /**
         * A tombstone goes once the projection has applied past its LSN on every partition for this long (no
         * re-delivery reaches that far back); 0 keeps every tombstone for ever.
         */
        @WithDefault("1h")
        Duration retention();

        /** How often a replica notes the low watermark and purges what is past the retention. */
        @WithDefault("5m")
        Duration purgeInterval();
    }

    interface TopicNames {
        @WithDefault(Topics.CONCEPT_CHANGES)
        String conceptChanges();

        @WithDefault(Topics.CATEGORY_CHANGES)
        String categoryChanges();

        /** graph-service's vectors (README, "Semantic and hybrid search"). */
        @WithDefault(Topics.CONCEPT_EMBEDDINGS)
        String conceptEmbeddings();
    }

    /** Semantic and hybrid search (README, "Semantic and hybrid search"). */
    interface Embeddings {
        /** Consume graph-service's vectors into the concept documents. */
        @WithDefault("true")
        boolean enabled();

        /** Consumer group of the vector consumer; every replica shares it (a vector is stored once). */
        @WithDefault("dialectica-search-embeddings")
        String groupId();

        /** Hybrid mode: how many of the best text matches are ranked again with their vectors. */
        @WithDefault("100")
        int hybridCandidates();

        /** Hybrid mode: weight of the (max-normalised) text score; the cosine similarity gets the rest. */
        @WithDefault("0.5")
        double hybridTextWeight();
    }

    interface Kafka {
        @WithDefault("127.0.0.1:19092")
        String bootstrapServers();

        /** One group for every replica: each consumes its share of the partitions (README, "Several replicas"). */
        @WithDefault("dialectica-search")
        String groupId();

        /** Extra consumer properties (security settings, ...), passed through unchanged; they win. */
        Map<String, String> consumer();
    }

    interface Consumer {
        /** Run the projector at start-up. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("2000")
        int maxPollRecords();

        @WithDefault("100ms")
        Duration pollTimeout();

        /** First delay before a failed OpenSearch write is retried; doubles up to {@link #retryBackoffMax()}. */
        @WithDefault("200ms")
        Duration retryBackoff();

        @WithDefault("5s")
        Duration retryBackoffMax();

        /**
         * The projector refreshes the index (and bumps the cache generation) at most this long after a write;
         * token readers do not wait for it (they refresh on demand, README "Read-your-writes").
         */
        @WithDefault("1s")
        Duration publishInterval();

        /** Keys whose applied LSN is kept in memory for one-concept token reads. */
        @WithDefault("10000")
        int recentKeys();

        /**
         * After each bulk, re-read (versions only) the categories of the documents it wrote and re-apply any
         * that changed meanwhile: with several replicas, a concept write and a category fan-out by another
         * replica may interleave (README, "Several replicas").
         */
        @WithDefault("true")
        boolean categoryRecheck();
    }

    /** The applied positions kept in the index itself and how replicas learn about them (README). */
    interface Progress {
        /** Publish this replica's applied positions on Redis pub/sub and listen to the other replicas'. */
        @WithDefault("true")
        boolean notifications();

        /** The Redis channel; default {@code <cache prefix>progress}. */
        java.util.Optional<String> channel();

        /**
         * While token readers wait and no notification arrived for this long, read the progress documents from
         * the index (realtime mget): the fallback when Redis is down or a message was lost.
         */
        @WithDefault("100ms")
        Duration pollInterval();

        /**
         * The same while this replica's projector consumes every partition: its own projector tells the view each
         * position it writes, so the store is read only for a writer outside the group (a replica the group gave up
         * on that still writes) whose notification was lost too.
         */
        @WithDefault("500ms")
        Duration ownerPollInterval();
    }

    interface Index {
        /** The alias every search reads through. */
        @WithDefault("dialectica-concepts")
        String alias();

        /** Concrete index names: {@code <prefix>-v<mapping version>-<yyyyMMddHHmmss>}. */
        @WithDefault("dialectica-concepts")
        String prefix();

        /** Alias of every index the projectors write into (live + a rebuild's new one); default {@code <alias>-write}. */
        java.util.Optional<String> writeAlias();

        /** Side index: one document per category (attributes, applied LSN as external version). */
        @WithDefault("dialectica-categories")
        String categories();

        /** Side index: each concept's latest vector from graph-service, as it arrived (README). */
        @WithDefault("dialectica-embeddings")
        String embeddings();

        /**
         * Shards of the categories side index. The concept index always has one: a token read checks the progress
         * documents in the same shard searcher that answers its query (README, "Read-your-writes").
         */
        @WithDefault("1")
        int shards();

        /** 0 for the single local node; a cluster sets 1 (DIALECTICA_SEARCH_INDEX_REPLICAS). */
        @WithDefault("0")
        int replicas();

        @WithDefault("1s")
        String refreshInterval();

        /**
         * Translog size that makes OpenSearch commit the index (a Lucene flush). Superseded versions of a document are
         * soft-deleted and kept until a commit covers them, so with OpenSearch's default (512mb) an index updated
         * without pause kept every old version: 136,696 deleted documents next to 9,000 live ones (305 MB) after a
         * few hours of benchmarks, and its refreshes, queries and merges slowed with it (README, "Index upkeep").
         */
        @WithDefault("16mb")
        String flushThreshold();
    }

    interface Cache {
        @WithDefault("true")
        boolean enabled();

        /** Every Redis key of this service starts with it. */
        @WithDefault("dialectica:search:")
        String prefix();

        @WithDefault("30s")
        Duration ttl();

        /** A cache that does not answer within this is skipped (the search runs). */
        @WithDefault("250ms")
        Duration timeout();
    }

    interface Reindex {
        /** Concepts per bulk request while loading the snapshot. */
        @WithDefault("500")
        int batchSize();

        /** Old concept indexes kept after a swap (besides the live one), for a quick rollback. */
        @WithDefault("1")
        int keepOld();
    }
}
