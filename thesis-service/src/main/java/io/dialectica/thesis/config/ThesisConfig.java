package io.dialectica.thesis.config;

import io.dialectica.contracts.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

@ConfigMapping(prefix = "dialectica.thesis")
public interface ThesisConfig {

    /** Number of theses when the request names none. */
    @WithDefault("5")
    int defaultCount();

    /** Output language (BCP 47) when the request names none. */
    @WithDefault("en")
    String defaultLanguage();

    /** Where a client follows a job live (the gateway's WebSocket); returned with every job. */
    @WithDefault("/ws/jobs")
    String progressUrl();

    Outbox outbox();

    Watchdog watchdog();

    Kafka kafka();

    Budget budget();

    /** Monthly budgets (README: "Cost and budgets"). */
    interface Budget {
        /** Check budgets when a job is requested; off: every job is accepted (costs are still recorded). */
        @WithDefault("true")
        boolean enabled();

        /** USD per month for a user without a budget of their own (PUT /api/jobs/budgets/{user}). */
        @WithDefault("10.00")
        java.math.BigDecimal defaultMonthlyUsd();

        /**
         * USD a job holds of its user's budget from its request until its result settles it at its real
         * cost: concurrent requests cannot all pass the check on the same remaining amount.
         */
        @WithDefault("0.05")
        java.math.BigDecimal holdUsd();

        /** Time zone of the budget month (a budget resets at midnight of the 1st there). */
        @WithDefault("UTC")
        java.time.ZoneId zone();
    }

    interface Outbox {
        /** Fallback poll of the relay when no commit signal (in-process or LISTEN/NOTIFY) woke it. */
        @WithDefault("2s")
        Duration pollInterval();

        /** Rows published per relay transaction. */
        @WithDefault("100")
        int batchSize();

        /** How long published rows are kept (for operators) before they are deleted. */
        @WithDefault("24h")
        Duration retention();

        /** Switches the relay off (a replica that only serves reads). */
        @WithDefault("true")
        boolean enabled();
    }

    interface Watchdog {
        /** How often live jobs are checked. */
        @WithDefault("30s")
        Duration interval();

        /** A RUNNING job without any event for this long is re-dispatched (or failed). */
        @WithDefault("5m")
        Duration stallTimeout();

        /**
         * A RUNNING batch job without any event for this long is re-dispatched (or failed): longer than a Message Batch
         * may take (24 h), since claude-worker reports nothing while the batch is processed.
         */
        @WithDefault("25h")
        Duration batchStallTimeout();

        /**
         * A QUEUED job without any event for this long is re-dispatched (or failed). Longer than the stall
         * timeout: a queued request may legitimately wait in Kafka while the workers are at their rate limit.
         */
        @WithDefault("15m")
        Duration queuedTimeout();

        /** Publications of a job's request before a stalled job FAILS instead (the first one counts). */
        @WithDefault("3")
        int maxDispatches();

        @WithDefault("true")
        boolean enabled();
    }

    interface Kafka {
        @WithDefault("127.0.0.1:19092")
        String bootstrapServers();

        /** Consumer group of the progress/results/dead-letter consumer (all replicas share it). */
        @WithDefault("thesis-service")
        String group();

        @WithDefault(Topics.GENERATION_REQUESTS)
        String requestsTopic();

        @WithDefault(Topics.GENERATION_PROGRESS)
        String progressTopic();

        @WithDefault(Topics.GENERATION_RESULTS)
        String resultsTopic();

        @WithDefault(Topics.GENERATION_DEAD_LETTER)
        String deadLetterTopic();

        /** Switches the consumer off. */
        @WithDefault("true")
        boolean consumerEnabled();

        /** Extra consumer properties, passed through unchanged (security settings, ...). */
        Map<String, String> consumer();

        /** Extra producer properties, passed through unchanged. */
        Map<String, String> producer();
    }
}
