package io.dialectica.cdc;

import io.dialectica.contracts.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/** Everything the connector reads from configuration (README: "Configuration"). */
@ConfigMapping(prefix = "dialectica.cdc")
public interface CdcConfig {

    /** Start the engine at boot (tests may start it themselves). */
    @WithDefault("true")
    boolean enabled();

    Database database();

    Kafka kafka();

    TopicNames topics();

    /** Logical replication slot the connector owns (one per connector; never shared). */
    @WithDefault("dialectica_cdc")
    String slotName();

    /** Publication created by the schema owner's migration (V2__change_capture.sql). */
    @WithDefault("dialectica_cdc")
    String publicationName();

    /** Schema of the captured tables. */
    @WithDefault("public")
    String schema();

    /** Debezium heartbeat: also runs the heartbeat query (cdc_heartbeat upsert), which yields a watermark. */
    @WithDefault("1s")
    Duration heartbeatInterval();

    /** Debezium poll interval: the added latency when the queue is empty (Debezium's default is 500 ms). */
    @WithDefault("10ms")
    Duration pollInterval();

    /** Minimum spacing of watermarks after data transactions (heartbeats always send one). */
    @WithDefault("200ms")
    Duration watermarkInterval();

    @WithDefault("2048")
    int maxBatchSize();

    @WithDefault("16384")
    int maxQueueSize();

    /** Debezium snapshot.mode: {@code initial} snapshots the tables once, when no offsets exist yet. */
    @WithDefault("initial")
    String snapshotMode();

    /**
     * Debezium's signalling table (signal.data.collection) in {@link #schema()}: execute-snapshot signals and
     * the incremental snapshots' watermarks. Created, published and granted by concept-service's migration V5.
     */
    @WithDefault("cdc_signal")
    String signalTable();

    IncrementalSnapshot incrementalSnapshot();

    /** Debezium's logical server name (topic.prefix); only used internally, nothing is published under it. */
    @WithDefault("dialectica")
    String engineName();

    /** First delay before the engine is restarted after a failure; doubles up to {@link #restartBackoffMax()}. */
    @WithDefault("1s")
    Duration restartBackoff();

    @WithDefault("30s")
    Duration restartBackoffMax();

    /** Extra Debezium properties, passed through unchanged (they win over the computed ones). */
    Map<String, String> debezium();

    interface IncrementalSnapshot {
        /** Rows per chunk (Debezium incremental.snapshot.chunk.size): one SELECT, one watermark window. */
        @WithDefault("1024")
        int chunkSize();
    }

    interface Database {
        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("15432")
        int port();

        @WithDefault("concepts")
        String name();

        @WithDefault("dialectica_cdc")
        String user();

        @WithDefault("dialectica_cdc")
        String password();
    }

    interface Kafka {
        @WithDefault("127.0.0.1:19092")
        String bootstrapServers();

        /** Debezium's offsets (Kafka Connect offset store, compacted, one partition). */
        @WithDefault("dialectica.cdc-offsets")
        String offsetsTopic();

        /** Partitions of the change topics when the connector creates them. */
        @WithDefault("6")
        int partitions();

        /** Replication factor of the topics the connector creates (offsets and change topics). */
        @WithDefault("1")
        short replicationFactor();

        /** Extra producer properties (e.g. compression.type, security settings), passed through unchanged. */
        Map<String, String> producer();
    }

    interface TopicNames {
        @WithDefault(Topics.CONCEPT_CHANGES)
        String conceptChanges();

        @WithDefault(Topics.CATEGORY_CHANGES)
        String categoryChanges();
    }
}
