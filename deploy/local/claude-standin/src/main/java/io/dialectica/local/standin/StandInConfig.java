package io.dialectica.local.standin;

import java.util.Locale;
import java.util.Optional;

/**
 * The stand-in's settings. Each is read from a system property ({@code -Dstandin.latency-ms=300}) or,
 * when that is absent, from the environment ({@code STANDIN_LATENCY_MS=300}); README.md lists them.
 *
 * @param host                   interface to bind (default 127.0.0.1)
 * @param port                   HTTP port (default 18089; 0 = any free port, for tests)
 * @param latencyMs              fixed delay before the first byte of an answer (default 300)
 * @param tokensPerSecond        streaming pace in output tokens per second (default 100, so three theses of ~300
 *                               tokens stream for ~3 s; 0 = no pacing)
 * @param requestsPerMinute      the stand-in's own request limit over a sliding minute (default 0 = off);
 *                               exceeded: 429 {@code rate_limit_error} with {@code retry-after}
 * @param outputTokensPerMinute  its own output-token limit over a sliding minute (default 0 = off)
 * @param fault                  fault applied to every request that does not name one in the
 *                               {@code x-standin-fault} header (default none); see {@link Fault}
 * @param cacheLifetimeSeconds   lifetime of a prompt-cache entry with the default TTL "5m", refreshed on every
 *                               read (default 300; a "1h" entry lives 12 times as long; tests shorten it)
 * @param cacheMinTokens         minimum cacheable prefix for every model (default 0: the documented minimum of
 *                               the requested model, {@link PromptCache#minTokens(String)})
 * @param faultShare             the share of conversations (0..1, by a hash of the system prompt and first user
 *                               message) the configured {@code fault} hits (default 1: all); a fault named in a
 *                               request header always applies
 * @param batchProcessingMs      how long a Message Batch takes from creation until it ends (default 5000; its requests
 *                               are answered all at once then)
 * @param batchExpiryMs          a Message Batch's {@code expires_at} after creation (default 24 h, as the API); a batch
 *                               still in progress then ends with its requests {@code expired}
 */
public record StandInConfig(String host, int port, long latencyMs, int tokensPerSecond, int requestsPerMinute,
        int outputTokensPerMinute, Optional<Fault> fault, long cacheLifetimeSeconds, long cacheMinTokens,
        double faultShare, long batchProcessingMs, long batchExpiryMs) {

    public static final int DEFAULT_PORT = 18089;
    public static final long DEFAULT_BATCH_PROCESSING_MS = 5_000;
    public static final long DEFAULT_BATCH_EXPIRY_MS = 24 * 3_600_000L;
    public static final long DEFAULT_CACHE_LIFETIME_SECONDS = 300;

    public StandInConfig {
        if (latencyMs < 0 || tokensPerSecond < 0 || requestsPerMinute < 0 || outputTokensPerMinute < 0
                || cacheMinTokens < 0) {
            throw new IllegalArgumentException("stand-in settings must not be negative");
        }
        if (batchProcessingMs < 0 || batchExpiryMs < 1) {
            throw new IllegalArgumentException("standin.batch-processing-ms must not be negative, standin.batch-expiry-ms "
                    + "must be at least 1");
        }
        if (cacheLifetimeSeconds < 1) {
            throw new IllegalArgumentException("standin.cache-lifetime-seconds must be at least 1");
        }
        if (!(faultShare >= 0 && faultShare <= 1)) {
            throw new IllegalArgumentException("standin.fault-share must be between 0 and 1");
        }
    }

    /** The settings without the prompt-cache ones (documented lifetime and minimum lengths). */
    public StandInConfig(String host, int port, long latencyMs, int tokensPerSecond, int requestsPerMinute,
            int outputTokensPerMinute, Optional<Fault> fault) {
        this(host, port, latencyMs, tokensPerSecond, requestsPerMinute, outputTokensPerMinute, fault,
                DEFAULT_CACHE_LIFETIME_SECONDS, 0, 1.0, DEFAULT_BATCH_PROCESSING_MS, DEFAULT_BATCH_EXPIRY_MS);
    }

    public static StandInConfig defaults() {
        return new StandInConfig("127.0.0.1", DEFAULT_PORT, 300, 100, 0, 0, Optional.empty());
    }

    /** The settings from system properties and environment, over {@link #defaults()}. */
    public static StandInConfig fromEnvironment() {
        StandInConfig d = defaults();
        return new StandInConfig(
                setting("standin.host").orElse(d.host()),
                setting("standin.port").map(Integer::parseInt).orElse(d.port()),
                setting("standin.latency-ms").map(Long::parseLong).orElse(d.latencyMs()),
                setting("standin.tokens-per-second").map(Integer::parseInt).orElse(d.tokensPerSecond()),
                setting("standin.requests-per-minute").map(Integer::parseInt).orElse(d.requestsPerMinute()),
                setting("standin.output-tokens-per-minute").map(Integer::parseInt).orElse(d.outputTokensPerMinute()),
                setting("standin.fault").filter(s -> !s.isBlank() && !s.equals("none")).map(Fault::parse),
                setting("standin.cache-lifetime-seconds").map(Long::parseLong).orElse(d.cacheLifetimeSeconds()),
                setting("standin.cache-min-tokens").map(Long::parseLong).orElse(d.cacheMinTokens()),
                setting("standin.fault-share").map(Double::parseDouble).orElse(d.faultShare()),
                setting("standin.batch-processing-ms").map(Long::parseLong).orElse(d.batchProcessingMs()),
                setting("standin.batch-expiry-ms").map(Long::parseLong).orElse(d.batchExpiryMs()));
    }

    public StandInConfig withPort(int p) {
        return new StandInConfig(host, p, latencyMs, tokensPerSecond, requestsPerMinute, outputTokensPerMinute, fault,
                cacheLifetimeSeconds, cacheMinTokens, faultShare, batchProcessingMs, batchExpiryMs);
    }

    /** The same settings with another prompt-cache lifetime ("5m") and minimum cacheable length (0: per model). */
    public StandInConfig withCache(long lifetimeSeconds, long minTokens) {
        return new StandInConfig(host, port, latencyMs, tokensPerSecond, requestsPerMinute, outputTokensPerMinute, fault,
                lifetimeSeconds, minTokens, faultShare, batchProcessingMs, batchExpiryMs);
    }

    /** The same settings with a fault for every request that hits {@code share} of the conversations. */
    public StandInConfig withFault(Fault f, double share) {
        return new StandInConfig(host, port, latencyMs, tokensPerSecond, requestsPerMinute, outputTokensPerMinute,
                Optional.of(f), cacheLifetimeSeconds, cacheMinTokens, share, batchProcessingMs, batchExpiryMs);
    }

    /** The same settings with another batch processing time and expiry (after creation). */
    public StandInConfig withBatches(long processingMs, long expiryMs) {
        return new StandInConfig(host, port, latencyMs, tokensPerSecond, requestsPerMinute, outputTokensPerMinute, fault,
                cacheLifetimeSeconds, cacheMinTokens, faultShare, processingMs, expiryMs);
    }

    static Optional<String> setting(String key) {
        String v = System.getProperty(key);
        if (v == null) {
            v = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        return Optional.ofNullable(v).map(String::strip);
    }

    @Override
    public String toString() {
        return "host=" + host + " port=" + port + " latency-ms=" + latencyMs + " tokens-per-second=" + tokensPerSecond
                + " requests-per-minute=" + (requestsPerMinute == 0 ? "off" : requestsPerMinute)
                + " output-tokens-per-minute=" + (outputTokensPerMinute == 0 ? "off" : outputTokensPerMinute)
                + " fault=" + fault.map(Fault::header).orElse("none")
                + (fault.isPresent() && faultShare < 1 ? " fault-share=" + faultShare : "")
                + " cache-lifetime-seconds=" + cacheLifetimeSeconds
                + " cache-min-tokens=" + (cacheMinTokens == 0 ? "per-model" : cacheMinTokens)
                + " batch-processing-ms=" + batchProcessingMs + " batch-expiry-ms=" + batchExpiryMs;
    }

    /** Faults to inject, by request header {@code x-standin-fault} or by {@code standin.fault}. */
    public enum Fault {
        /** 529 {@code overloaded_error} */
        OVERLOADED("overloaded"),
        /** 429 {@code rate_limit_error} with {@code retry-after: 1} */
        RATE_LIMIT("rate-limit"),
        /** 500 {@code api_error} */
        SERVER_ERROR("server-error"),
        /** streaming: a 200 stream that breaks off after a few deltas with an {@code error} event */
        STREAM_ERROR("stream-error"),
        /** the answer is cut off in the middle of the JSON (every time) */
        INVALID_JSON("invalid-json"),
        /** the first answer to a conversation is invalid JSON, every later one (the repair) valid */
        INVALID_JSON_ONCE("invalid-json-once");

        private final String header;

        Fault(String header) {
            this.header = header;
        }

        public String header() {
            return header;
        }

        public static Fault parse(String value) {
            for (Fault f : values()) {
                if (f.header.equalsIgnoreCase(value.strip())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown fault '" + value + "' (one of overloaded, rate-limit, "
                    + "server-error, stream-error, invalid-json, invalid-json-once)");
        }
    }
}
