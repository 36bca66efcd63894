package io.dialectica.graph.config;

import io.dialectica.contracts.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/** Everything graph-service reads from configuration (README: "Configuration"). */
@ConfigMapping(prefix = "dialectica.graph")
public interface GraphConfig {

    /** How long a read carrying X-Consistency-Token waits for the projection before 504 projection-behind. */
    @WithDefault("2s")
    Duration consistencyWait();

    /** Largest {@code maxLength} a path query may ask for. */
    @WithDefault("10")
    int maxPathLength();

    Projection projection();

    Embedding embedding();

    Progress progress();

    Kafka kafka();

    TopicNames topics();

    Rebuild rebuild();

    interface Projection {
        /** Run the consumer at start-up. */
        @WithDefault("true")
        boolean enabled();

        /** First delay before a failed Neo4j transaction is tried again; doubles up to {@link #retryBackoffMax()}. */
        @WithDefault("200ms")
        Duration retryBackoff();

        @WithDefault("10s")
        Duration retryBackoffMax();

        /** How many concepts' applied positions are kept in memory for read-your-writes (older ones: Neo4j). */
        @WithDefault("100000")
        int recentKeys();
    }

    /**
     * The concept vectors behind {@code /similar} (README, "Similar concepts: embeddings"): computed off the
     * projection's path by one worker thread, from a bounded queue of concept ids.
     */
    interface Embedding {
        /** Embed concepts at all (off: no model is loaded, {@code /similar} finds nothing new). */
        @WithDefault("true")
        boolean enabled();

        /** Threads of the ONNX session (intra-op): the cores embeddings may use at once. */
        @WithDefault("1")
        int threads();

        /**
         * Check the concepts of newly assigned concept-topic partitions for stale vectors (start-up, rebalance;
         * a restart loses the in-memory queue, a recipe or model change makes every key stale).
         */
        @WithDefault("true")
        boolean sweep();

        /** Texts per model call and per Neo4j write. */
        @WithDefault("32")
        int batchSize();

        /**
         * Concept and category ids waiting (each once). When full, further ids are not queued: the worker sweeps
         * this replica's concepts for stale vectors once the queue is empty again (memory stays bounded and the
         * projector never waits).
         */
        @WithDefault("10000")
        int queueCapacity();

        /**
         * Share of the time the worker may spend embedding (it rests between batches accordingly), so that a
         * burst of edits leaves CPU to the projection on a small machine. 1 = no rest.
         */
        @WithDefault("0.5")
        double dutyCycle();

        /** Concepts read per page when sweeping for stale vectors (after a partition assignment or an overflow). */
        @WithDefault("256")
        int sweepPageSize();

        /**
         * Publish every stored vector on the concept-embeddings topic (search-service's semantic search reads
         * them there instead of embedding every concept a second time).
         */
        @WithDefault("true")
        boolean publish();

        /** Partitions of the concept-embeddings topic when graph-service has to create it (locally). */
        @WithDefault("6")
        int topicPartitions();
    }

    /**
     * The positions every replica reads from Neo4j (README, "Read-your-writes with several replicas"): the
     * {@code (:ProjectionProgress)} nodes the projectors write in the same transactions as the changes.
     */
    interface Progress {
        /** Shortest time between two reads of the progress nodes while token readers wait (the first read is at once). */
        @WithDefault("10ms")
        Duration pollInterval();

        /**
         * The same while this replica's projector owns every partition of both topics: then its own projector tells
         * the view each position and concept at once, and only a writer outside the group can be seen in the store
         * alone (a replica the group already gave up on that still commits, the previous owner's last transactions
         * around a rebalance). At 10 ms these polls were ~100 Neo4j queries/s whenever readers waited.
         */
        @WithDefault("200ms")
        Duration ownerPollInterval();

        /** The view (health details, the low-watermark gauge) is read again at least this often, readers or not. */
        @WithDefault("1s")
        Duration refreshInterval();
    }

    interface Kafka {
        @WithDefault("127.0.0.1:19092")
        String bootstrapServers();

        /**
         * How long the group waits for a replica that stopped heart-beating (kill -9, a lost node) before its
         * partitions move to the others; a clean stop leaves the group at once. Kafka's default is 45 s.
         */
        @WithDefault("10s")
        Duration sessionTimeout();

        /** Consumer group of the projector; every instance of graph-service shares it. */
        @WithDefault("graph-service")
        String groupId();

        /** Records per poll: one poll is applied in one Neo4j transaction. */
        @WithDefault("2000")
        int maxPollRecords();

        @WithDefault("100ms")
        Duration pollTimeout();

        /** Extra consumer properties (security settings, ...), passed through unchanged. */
        Map<String, String> consumer();
    }

    /** {@code POST /admin/rebuild} (README: "Rebuilding"). */
    interface Rebuild {
        /** Concepts per Neo4j transaction; each one holds the progress locks, so the projector waits for it. */
        @WithDefault("100")
        int batchSize();
    }

    interface TopicNames {
        @WithDefault(Topics.CONCEPT_CHANGES)
        String conceptChanges();

        @WithDefault(Topics.CATEGORY_CHANGES)
        String categoryChanges();

        /** Where stored vectors are published (key = concept id). */
        @WithDefault(Topics.CONCEPT_EMBEDDINGS)
        String conceptEmbeddings();
    }
}
