package io.dialectica.concept.history;

import io.dialectica.contracts.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/** The history's consumer of the change topic and its reads (README, "History of a concept"). */
@ConfigMapping(prefix = "dialectica.history")
public interface HistoryConfig {

    /** Run the consumer at start-up (the history endpoints answer either way, from what is recorded). */
    @WithDefault("true")
    boolean enabled();

    /** How long a history read carrying X-Consistency-Token waits for the history to catch up before 504. */
    @WithDefault("2s")
    Duration consistencyWait();

    /** How often such a read looks again while it waits. */
    @WithDefault("20ms")
    Duration consistencyPoll();

    /** First delay before a failed PostgreSQL transaction is tried again; doubles up to {@link #retryBackoffMax()}. */
    @WithDefault("200ms")
    Duration retryBackoff();

    @WithDefault("10s")
    Duration retryBackoffMax();

    Kafka kafka();

    interface Kafka {
        @WithDefault("127.0.0.1:19092")
        String bootstrapServers();

        /** One group for every replica of concept-service: each records the partitions it is assigned. */
        @WithDefault("concept-service-history")
        String groupId();

        /** The change topic whose groups become versions (cdc-connector's concept topic). */
        @WithDefault(Topics.CONCEPT_CHANGES)
        String topic();

        @WithDefault("100ms")
        Duration pollTimeout();

        @WithDefault("500")
        int maxPollRecords();

        /** A replica that died without leaving the group gives its partitions up after this. */
        @WithDefault("10s")
        Duration sessionTimeout();

        /** Any other consumer property (TLS, SASL, ...), passed through. */
        Map<String, String> consumer();
    }
}
