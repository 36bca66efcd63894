package io.dialectica.worker.config;

import io.dialectica.contracts.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything the worker reads from configuration (README: "Configuration"). */
@ConfigMapping(prefix = "dialectica.worker")
public interface WorkerConfig {

    /** Start the Kafka loops at boot (a test may switch them off to drive the processor itself). */
    @WithDefault("true")
    boolean enabled();

    /** Jobs in flight per replica; when all are busy the consumer pauses its partitions. */
    @WithDefault("3")
    int concurrency();

    /** Interval between progress events while tokens arrive (the contract: at least one per second). */
    @WithDefault("500ms")
    Duration progressInterval();

    /** A request delivered this many times without a result (crashes, infrastructure failures) fails for good. */
    @WithDefault("5")
    int maxDeliveries();

    /** Redis key prefix of the per-job delivery counter ({@code <prefix>:<jobId>}, kept 7 days). */
    @WithDefault("dialectica:claude-worker:attempts")
    String attemptsKeyPrefix();

    /** Most theses one job may ask for. */
    @WithDefault("10")
    int maxTheses();

    /** Pause before a request whose processing failed on the worker's own infrastructure runs again. */
    @WithDefault("2s")
    Duration retryLaterDelay();

    Kafka kafka();

    Graph graph();

    ServiceToken serviceToken();

    Claude claude();

    RateLimit ratelimit();

    Cache cache();

    /**
     * The price table: for each model id (or id prefix: {@code claude-sonnet-4-5} also prices
     * {@code claude-sonnet-4-5-20250929}), USD per million input and output tokens, the prompt-cache
     * multipliers of the input price, and the model's minimum cacheable prompt. The configured
     * {@code claude.model} must have an entry; a model the API reports that has none is priced as that one.
     */
    Map<String, Price> prices();

    PromptCache promptCache();

    /** Batch-priority jobs: collected into Message Batches (README: "Batch jobs"). */
    Batch batch();

    interface Price {
        /** USD per million (uncached) input tokens. */
        BigDecimal inputPerMtok();

        /** USD per million output tokens. */
        BigDecimal outputPerMtok();

        /** A prompt-cache write (5-minute lifetime) costs this much of the input price. */
        @WithDefault("1.25")
        BigDecimal cacheWriteMultiplier();

        /** A prompt-cache read costs this much of the input price. */
        @WithDefault("0.1")
        BigDecimal cacheReadMultiplier();

        /** The model's minimum cacheable prompt length: a shorter prefix is not marked. */
        @WithDefault("1024")
        int minCacheableTokens();

        /** What a call in a Message Batch costs of the same call made at once: half, as the API prices batches. */
        @WithDefault("0.5")
        BigDecimal batchMultiplier();
    }

    interface Batch {
        /** Batch-priority jobs go into Message Batches (false: they run at once, like interactive ones). */
        @WithDefault("true")
        boolean enabled();

        /** At most this many requests in one Message Batch (the API allows 100,000). */
        @WithDefault("100")
        int maxRequests();

        /** A batch is submitted once its oldest queued job has waited this long, even with fewer requests. */
        @WithDefault("60s")
        Duration maxWait();

        /** How often each batch in progress is retrieved (the API's batches take minutes to hours). */
        @WithDefault("30s")
        Duration pollInterval();

        /** Redis key prefix of the queue, the jobs' states and the batches in flight (durable: no TTL). */
        @WithDefault("dialectica:claude-worker:batch")
        String keyPrefix();

        /**
         * How long one replica holds an ended batch while it delivers the results (and the queue while it
         * submits); a replica that dies meanwhile leaves it to another one after this.
         */
        @WithDefault("2m")
        Duration lease();
    }

    interface PromptCache {
        /** Put cache_control breakpoints after the stable parts of the prompt (system, context). */
        @WithDefault("true")
        boolean enabled();
    }

    interface Kafka {
        @WithDefault("127.0.0.1:19092")
        String bootstrapServers();

        /** Consumer group of the request consumers (all replicas share it). */
        @WithDefault("claude-worker")
        String group();

        /** Prefix of the per-replica group that listens for CANCELLED events (a random suffix is added). */
        @WithDefault("claude-worker-cancel")
        String cancelGroupPrefix();

        @WithDefault(Topics.GENERATION_REQUESTS)
        String requestsTopic();

        @WithDefault(Topics.GENERATION_PROGRESS)
        String progressTopic();

        @WithDefault(Topics.GENERATION_RESULTS)
        String resultsTopic();

        @WithDefault(Topics.GENERATION_DEAD_LETTER)
        String deadLetterTopic();

        /** How long one poll blocks; also the reaction time of pause/resume and commits. */
        @WithDefault("100ms")
        Duration pollTimeout();

        /** Must exceed the longest job (a paused consumer still polls, so this only bounds a stuck loop). */
        @WithDefault("15m")
        Duration maxPollInterval();

        /** Extra consumer properties, passed through unchanged (security settings, ...). */
        Map<String, String> consumer();

        /** Extra producer properties, passed through unchanged. */
        Map<String, String> producer();
    }

    interface Graph {
        /** Related concepts asked from graph-service (before compression). */
        @WithDefault("5")
        int relatedLimit();

        /**
         * Concepts similar by meaning (graph-service's /similar: embeddings) in the context, over all source
         * concepts; 0 leaves them out. They are the first thing compression drops.
         */
        @WithDefault("3")
        int similarLimit();

        /** Categories asked for with their PageRank. */
        @WithDefault("100")
        int centralityLimit();

        /** Token budget of the whole context (estimate: characters / 4). */
        @WithDefault("6000")
        int tokenBudget();
    }

    interface ServiceToken {
        /** PEM (PKCS#8) RSA private key that signs the worker's service JWTs. */
        @WithDefault(".local/keys/jwt-private.pem")
        String keyLocation();

        @WithDefault("https://dialectica.local/issuer")
        String issuer();

        @WithDefault("dialectica-dev")
        String keyId();

        @WithDefault("claude-worker")
        String upn();

        @WithDefault("5m")
        Duration lifetime();
    }

    interface Claude {
        /** The API key; without it the local stand-in answers and results say generatedBy "stand-in". */
        @WithName("api-key")
        Optional<String> apiKey();

        /** Messages API base URL used with an API key. */
        @WithDefault("https://api.anthropic.com")
        String baseUrl();

        /** The local Messages API stand-in, used when there is no API key. */
        @WithDefault("http://127.0.0.1:18089")
        String standInUrl();

        @WithDefault("claude-sonnet-4-5")
        String model();

        @WithDefault("4096")
        int maxTokens();

        @WithDefault("0.7")
        double temperature();

        /** Whole-attempt timeout (connect + stream); the stream is closed when it passes. */
        @WithDefault("120s")
        Duration timeout();

        /** No byte for this long while streaming counts as a timeout too. */
        @WithDefault("30s")
        Duration readTimeout();

        @WithDefault("5s")
        Duration connectTimeout();

        Retry retry();

        CircuitBreaker circuitBreaker();

        /**
         * Count prompt tokens exactly with {@code POST /v1/messages/count_tokens} (cached by content hash; the
         * estimate characters / 4 when the call fails).
         */
        @WithDefault("true")
        boolean countTokens();

        @WithDefault("5s")
        Duration countTokensTimeout();
    }

    interface Retry {
        /** Attempts per Claude call (the first one included) for 429, 529, 5xx, I/O errors and timeouts. */
        @WithDefault("6")
        int maxAttempts();

        @WithDefault("1s")
        Duration initialDelay();

        @WithDefault("60s")
        Duration maxDelay();

        /** Random extra of up to this share of the exponential delay. */
        @WithDefault("0.3")
        double jitter();

        /** A retry-after longer than this is not waited for: the job fails (and may be requested again). */
        @WithDefault("5m")
        Duration maxRetryAfter();
    }

    interface CircuitBreaker {
        @WithDefault("10")
        int requestVolumeThreshold();

        @WithDefault("0.5")
        double failureRatio();

        @WithDefault("30s")
        Duration delay();

        @WithDefault("2")
        int successThreshold();
    }

    interface RateLimit {
        /** Shared by all replicas: Claude requests per window. */
        @WithDefault("50")
        int requestsPerMinute();

        /** Shared by all replicas: output tokens per window (max_tokens is reserved, corrected after). */
        @WithDefault("80000")
        int outputTokensPerMinute();

        @WithDefault("60s")
        Duration window();

        /**
         * Spacing safety: requests are spaced window/limit × (1 + margin) apart. Absorbs the jitter between
         * a slot and the API receiving the request (bounded by grant-tolerance): 3 % keeps every 1-s window
         * at the per-second share while using ≥ 95 % of the limit (docs/benchmarks.md, ratelimit).
         */
        @WithDefault("0.03")
        double margin();

        /**
         * How far ahead a slot may be reserved; a waiter whose slot would be later backs off and asks again
         * (and the consumer pauses). At least one spacing.
         */
        @WithDefault("5s")
        Duration reserveHorizon();

        /**
         * A reserved slot is given up (and a new one reserved) when the request cannot leave within this
         * fraction of the spacing after it (a late send would crowd the next slot at the API).
         */
        @WithDefault("0.2")
        double grantTolerance();

        /** Redis key prefix (tests use their own). */
        @WithDefault("dialectica:claude-worker:ratelimit")
        String keyPrefix();

        /** Longest single wait before the limiter is asked again. */
        @WithDefault("1s")
        Duration maxWaitStep();
    }

    interface Cache {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("7d")
        Duration ttl();

        @WithDefault("dialectica:claude-worker:cache")
        String keyPrefix();
    }
}
