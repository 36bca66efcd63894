package io.dialectica.worker.claude;

import java.time.Duration;
import java.util.Optional;

/** A failed Messages API call, classified: what kind, whether another attempt may help, and when. */
public final class ClaudeFailure extends RuntimeException {

    /** Kinds; {@link #metricName()} is the {@code outcome} label of {@code dialectica_claude_requests_total}. */
    public enum Kind {
        RATE_LIMITED("rate_limited", true),
        OVERLOADED("overloaded", true),
        SERVER_ERROR("server_error", true),
        TIMEOUT("timeout", true),
        IO_ERROR("io_error", true),
        /** The circuit breaker is open: no call was made. */
        CIRCUIT_OPEN("circuit_open", true),
        /** 400, 401, 403, 404, 413...: the request or the configuration is wrong; retrying cannot help. */
        CLIENT_ERROR("client_error", false);

        private final String metricName;
        private final boolean retryable;

        Kind(String metricName, boolean retryable) {
            this.metricName = metricName;
            this.retryable = retryable;
        }

        public String metricName() {
            return metricName;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;
    private final int status;
    private final transient Optional<Duration> retryAfter;
    private final int outputTokensSoFar;

    public ClaudeFailure(Kind kind, int status, String message, Optional<Duration> retryAfter, int outputTokensSoFar,
            Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
        this.outputTokensSoFar = outputTokensSoFar;
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, 0 when there was none (I/O, timeout, open circuit). */
    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** Output tokens streamed before the failure (what the rate limiter is corrected to). */
    public int outputTokensSoFar() {
        return outputTokensSoFar;
    }
}
