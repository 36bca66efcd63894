package io.dialectica.gateway.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the gateway does is driven from here: which paths go to which backend, how each
 * backend is reached and guarded, and the limits applied to callers. Only a backend's {@code url}
 * is required; everything else has a default.
 */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Named routes; the name is the {@code route} tag of the metrics. */
    Map<String, Route> routes();

    /** Named backends, referred to by {@link Route#backend()}. */
    Map<String, Backend> backends();

    @WithName("rate-limit")
    RateLimit rateLimit();

    /** The WebSocket {@code /ws/jobs}: live progress of generation jobs. */
    Jobs jobs();

    /** The consumer of the job progress topic that feeds {@code /ws/jobs}. */
    Progress progress();

    /** Largest request body forwarded; larger ones are refused with 413. */
    @WithName("max-body-size")
    @WithDefault("1M")
    MemorySize maxBodySize();

    interface Route {
        /**
         * Path patterns: literal segments, {@code *} or {@code {name}} for exactly one segment, and a
         * trailing {@code **} for any number of segments (none included). The most specific pattern
         * over all routes wins, so {@code /api/concepts/{id}/theses/**} can take precedence over
         * {@code /api/concepts/**}.
         */
        List<String> paths();

        /** Name of the backend (a key of {@code gateway.backends}). */
        String backend();
    }

    interface Backend {
        /** Base URL; backends serve the public paths, so this is usually just scheme, host and port. */
        URI url();

        /** Time allowed to open a connection; a refused or unanswered connect is a 503. */
        @WithName("connect-timeout")
        @WithDefault("2s")
        Duration connectTimeout();

        /** Longest silence while waiting for the answer; exceeded, the request is a 504. */
        @WithName("read-timeout")
        @WithDefault("10s")
        Duration readTimeout();

        /** Ceiling for the whole exchange, whatever the backend trickles; exceeded, a 504. */
        @WithDefault("30s")
        Duration timeout();

        /** Connections kept in the pool to this backend (per event loop, as Vert.x pools are). */
        @WithName("max-connections")
        @WithDefault("64")
        int maxConnections();

        /** Probed by the readiness check, reported in its details only. */
        @WithName("health-path")
        @WithDefault("/q/health/ready")
        String healthPath();

        @WithName("circuit-breaker")
        CircuitBreaker circuitBreaker();
    }

    /** SmallRye Fault Tolerance circuit breaker settings; failures are errors, timeouts and 5xx answers. */
    interface CircuitBreaker {
        /** Size of the rolling window of calls the failure ratio is computed over. */
        @WithName("request-volume-threshold")
        @WithDefault("20")
        int requestVolumeThreshold();

        @WithName("failure-ratio")
        @WithDefault("0.5")
        double failureRatio();

        /** How long the breaker stays open before letting trial calls through. */
        @WithDefault("5s")
        Duration delay();

        /** Successful trial calls needed to close it again. */
        @WithName("success-threshold")
        @WithDefault("2")
        int successThreshold();

        /**
         * 5xx answers that do not count as failures: the backend answered on purpose and is not
         * failing, e.g. the 504 {@code projection-behind} of graph-service and search-service when a
         * read with {@code X-Consistency-Token} outwaits the projection. Relayed as always.
         */
        @WithName("healthy-statuses")
        Optional<Set<Integer>> healthyStatuses();
    }

    Auth auth();

    interface Auth {
        /**
         * How long a verified bearer token is trusted without verifying it again (0 = verify every
         * request). Bounds how long a token stays accepted after its key is rotated out.
         */
        @WithName("token-cache-ttl")
        @WithDefault("30s")
        Duration tokenCacheTtl();

        /** Most tokens remembered at once. */
        @WithName("token-cache-size")
        @WithDefault("100000")
        int tokenCacheSize();
    }

    interface RateLimit {
        @WithDefault("true")
        boolean enabled();

        /** Requests allowed per subject and window. */
        @WithDefault("600")
        int requests();

        /** Length of the fixed window. */
        @WithDefault("1m")
        Duration window();

        /** Prefix of the Redis keys (one key per subject, expiring with its window). */
        @WithName("key-prefix")
        @WithDefault("dialectica:gateway:rate:")
        String keyPrefix();

        /** Longest wait for Redis; beyond it the request is let through (fail open). */
        @WithName("redis-timeout")
        @WithDefault("500ms")
        Duration redisTimeout();

        /**
         * How often a replica sends what it admitted to Redis and learns the others' counts. Bounds the
         * overshoot across replicas: at most what the other replicas admit in one interval.
         */
        @WithName("sync-interval")
        @WithDefault("50ms")
        Duration syncInterval();

        /** A subject not synced for this long waits for a sync before its next request is decided. */
        @WithName("stale-after")
        @WithDefault("1s")
        Duration staleAfter();
    }

    interface Jobs {
        /** Backend asked {@code GET /api/jobs/{id}} (with the subscriber's token) whether a subscribe is allowed. */
        @WithDefault("thesis-service")
        String backend();

        /** Longest wait for that answer; beyond it the subscribe gets an error event. */
        @WithName("lookup-timeout")
        @WithDefault("5s")
        Duration lookupTimeout();

        /** Jobs one connection may follow at a time. */
        @WithName("max-subscriptions")
        @WithDefault("20")
        int maxSubscriptions();

        /** Events held per subscription while its job's current state is being fetched. */
        @WithName("max-buffered-events")
        @WithDefault("256")
        int maxBufferedEvents();
    }

    interface Progress {
        /** Off: no consumer (the WebSocket still answers subscribes with the current state). */
        @WithDefault("true")
        boolean enabled();

        @WithDefault(io.dialectica.contracts.Topics.GENERATION_PROGRESS)
        String topic();

        /** Kafka bootstrap servers. */
        @WithName("bootstrap-servers")
        String bootstrapServers();

        /**
         * Start of the consumer group id; the replica's host name and a random suffix follow, so
         * every replica (and every restart) has a group of its own and receives every event.
         */
        @WithName("group-prefix")
        @WithDefault("api-gateway")
        String groupPrefix();
    }
}
