package io.dialectica.worker.claude;

import io.dialectica.worker.claude.ClaudeFailure.Kind;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.observability.WorkerMetrics;
import io.dialectica.worker.ratelimit.RateLimiter;
import io.dialectica.worker.ratelimit.RateLimiter.Decision;
import io.dialectica.worker.ratelimit.RateLimiter.Reservation;
import io.dialectica.worker.service.JobCancelled;
import io.dialectica.worker.service.JobContext;
import io.dialectica.worker.service.RetryLater;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The worker's fault-tolerance policy around one Messages API call.
 * <p>
 * <b>Why a loop of our own around a SmallRye FT guard, not {@code @Retry}:</b> MicroProfile/SmallRye
 * {@code @Retry} computes its delay from static configuration (fixed, exponential, Fibonacci or a
 * custom strategy that sees only the exception type), so it cannot wait for exactly the
 * {@code retry-after} the API sent with a 429/529. Each attempt must also re-reserve a slot in the
 * shared Redis rate limiter, publish a transient {@code error} event, and its wait must stop at once
 * when the job is cancelled — all things a retry interceptor does not do. So: the circuit breaker and
 * the timeout are SmallRye FT (a programmatic {@link TypedGuard} configured from
 * {@code dialectica.worker.claude.*}); the retry decision is this loop: up to
 * {@code retry.max-attempts}, waiting {@code retry-after} when the API gave one (plus up to 10 % jitter),
 * else exponential backoff from {@code retry.initial-delay} to {@code retry.max-delay} with
 * {@code retry.jitter}. A 429's retry-after is shared through Redis, so every replica holds back.
 * Retried: 429, 529, 5xx, 408, I/O errors, timeouts, error events in the stream, an open circuit.
 * Never retried: other 4xx. The circuit breaker counts server-side trouble only (529, 5xx, I/O,
 * timeouts), not 429s, which are about our volume, not the API's health.
 */
@ApplicationScoped
public class ClaudeCaller {

    private static final Logger LOG = Logger.getLogger(ClaudeCaller.class);
    /** Slots given up in a row (request could not leave on time) before a call is sent late anyway. */
    static final int MAX_STALE = 3;

    private final ClaudeClient client;
    private final RateLimiter limiter;
    private final WorkerMetrics metrics;
    private final WorkerConfig.Claude config;
    private final WorkerConfig.RateLimit limits;
    private final TypedGuard<ClaudeAnswer> guard;

    public ClaudeCaller(ClaudeClient client, RateLimiter limiter, WorkerMetrics metrics, WorkerConfig config) {
        this.client = client;
        this.limiter = limiter;
        this.metrics = metrics;
        this.config = config.claude();
        this.limits = config.ratelimit();
        WorkerConfig.CircuitBreaker cb = this.config.circuitBreaker();
        this.guard = TypedGuard.create(ClaudeAnswer.class)
                .withDescription("Claude Messages API")
                .withCircuitBreaker()
                .name("claude-messages-api")
                .requestVolumeThreshold(cb.requestVolumeThreshold())
                .failureRatio(cb.failureRatio())
                .delay(cb.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(cb.successThreshold())
                .when(ClaudeCaller::countsAgainstBreaker)
                .onStateChange(state -> LOG.warnf("circuit breaker of the Messages API is now %s", state))
                .done()
                // backstop only: ClaudeClient closes the stream at dialectica.worker.claude.timeout itself
                .withTimeout()
                .duration(this.config.timeout().plusSeconds(5).toMillis(), ChronoUnit.MILLIS)
                .done()
                .build();
    }

    static boolean countsAgainstBreaker(Throwable t) {
        if (t instanceof ClaudeFailure f) {
            return f.kind() == Kind.OVERLOADED || f.kind() == Kind.SERVER_ERROR || f.kind() == Kind.TIMEOUT
                    || f.kind() == Kind.IO_ERROR;
        }
        return t instanceof TimeoutException;
    }

    public boolean standIn() {
        return client.standIn();
    }

    /** Runs the call under the limits and the retry policy; throws the last {@link ClaudeFailure}. */
    public ClaudeAnswer call(ClaudeCall call, JobContext job) {
        int maxAttempts = Math.max(1, config.retry().maxAttempts());
        int stale = 0;
        for (int attempt = 1;; attempt++) {
            Reservation reservation = acquire(call.maxTokens(), job);
            job.phase(call.purpose().equals("repair") ? "repairing" : "generating", 0, null);
            // after MAX_STALE lost slots in a row (a machine too loaded to send on time) send late rather than never
            boolean checkStale = stale < MAX_STALE;
            long started = System.nanoTime();
            try {
                ClaudeAnswer answer = guard.call(() -> client.stream(call, listener(job),
                        () -> checkStale && reservation.stale()));
                metrics.claudeRequest("success", Duration.ofNanos(System.nanoTime() - started));
                settle(reservation, answer.outputTokens());
                return answer;
            } catch (StaleGrant e) {
                settle(reservation, 0);
                stale++;
                metrics.retry("stale_slot");
                LOG.debugf("job %s: rate-limit slot passed before the request could leave; reserving again", job.jobId());
                attempt--;
                continue;
            } catch (Exception e) {
                if (job.cancelled()) {
                    settle(reservation, 0);
                    throw new JobCancelled(job.jobId().toString());
                }
                ClaudeFailure f = classify(e);
                settle(reservation, f.outputTokensSoFar());
                if (f.kind() != Kind.CIRCUIT_OPEN) {
                    metrics.claudeRequest(f.kind().metricName(), Duration.ofNanos(System.nanoTime() - started));
                }
                Optional<Duration> retryAfter = f.retryAfter();
                if (!f.kind().retryable() || attempt >= maxAttempts) {
                    throw f;
                }
                if (retryAfter.isPresent() && retryAfter.get().compareTo(config.retry().maxRetryAfter()) > 0) {
                    throw new ClaudeFailure(f.kind(), f.status(), f.getMessage() + "; retry-after "
                            + retryAfter.get().toSeconds() + " s is longer than the worker waits", retryAfter,
                            f.outputTokensSoFar(), f);
                }
                if (retryAfter.isPresent() && f.kind() == Kind.RATE_LIMITED) {
                    blockAll(retryAfter.get());
                }
                Duration delay = delay(attempt, retryAfter);
                metrics.retry(f.kind().metricName());
                LOG.infof("job %s: %s; attempt %d of %d in %d ms", job.jobId(), f.getMessage(), attempt + 1,
                        maxAttempts, delay.toMillis());
                job.transientError(f.getMessage() + "; retrying in " + String.format("%.1f", delay.toMillis() / 1000.0)
                        + " s (attempt " + (attempt + 1) + " of " + maxAttempts + ")");
                job.sleep(delay);
            }
        }
    }

    private StreamListener listener(JobContext job) {
        return new StreamListener() {
            @Override
            public void onTokens(int outputTokensSoFar) {
                job.tokens(outputTokensSoFar);
            }

            @Override
            public void onHeaders(Map<String, List<String>> headers) {
                honourRateLimitHeaders(headers);
            }

            @Override
            public void onCall(CallHandle handle) {
                job.onCall(handle);
            }
        };
    }

    /** An exhausted {@code anthropic-ratelimit-*} budget holds every replica back until its reset. */
    void honourRateLimitHeaders(Map<String, List<String>> headers) {
        for (String kind : List.of("requests", "tokens", "output-tokens", "input-tokens")) {
            String remaining = ClaudeClient.first(headers, "anthropic-ratelimit-" + kind + "-remaining");
            String reset = ClaudeClient.first(headers, "anthropic-ratelimit-" + kind + "-reset");
            if (remaining == null || reset == null) {
                continue;
            }
            try {
                if (Long.parseLong(remaining.trim()) <= 0) {
                    Duration until = Duration.between(java.time.Instant.now(), OffsetDateTime.parse(reset.trim()).toInstant());
                    if (!until.isNegative()) {
                        blockAll(until);
                    }
                }
            } catch (RuntimeException e) {
                LOG.debugf("unreadable rate-limit headers %s=%s, reset %s", kind, remaining, reset);
            }
        }
    }

    private void blockAll(Duration d) {
        try {
            limiter.blockFor(d);
        } catch (RuntimeException e) {
            LOG.warnf("could not share the API's wait in Redis: %s", e.getMessage());
        }
    }

    private Reservation acquire(int tokens, JobContext job) {
        boolean announced = false;
        while (true) {
            job.checkCancelled();
            Decision d;
            try {
                d = limiter.tryAcquire(tokens);
            } catch (IllegalArgumentException e) {
                throw new ClaudeFailure(Kind.CLIENT_ERROR, 0, e.getMessage(), Optional.empty(), 0, e);
            } catch (RuntimeException e) {
                if (job.cancelled()) {
                    throw new JobCancelled(job.jobId().toString());
                }
                throw new RetryLater("the shared rate limiter (Redis) is unavailable: " + e.getMessage(), e);
            }
            metrics.window(limiter.requestsInWindow(), limiter.tokensInWindow());
            if (d.granted()) {
                Reservation r = d.reservation();
                Duration left = r.untilSlot();
                if (!announced && left.toMillis() >= 250) {
                    job.phase("waiting-for-rate-limit", null, "waiting " + left.toMillis() + " ms for the shared rate limit");
                }
                // the slot is reserved: sleep until it (a cancel wakes the sleep; the slot is then lost)
                try {
                    job.sleep(r.untilSlot());
                } catch (RuntimeException e) {
                    settle(r, 0);
                    throw e;
                }
                return r;
            }
            if (!announced && d.waitFor().toMillis() >= 250) {
                job.phase("waiting-for-rate-limit", null, "waiting " + d.waitFor().toMillis() + " ms for the shared rate limit");
                announced = true;
            }
            Duration step = d.waitFor().compareTo(limits.maxWaitStep()) > 0 ? limits.maxWaitStep() : d.waitFor();
            job.sleep(step.plusMillis(ThreadLocalRandom.current().nextInt(0, 4)));
        }
    }

    private void settle(Reservation r, int tokens) {
        try {
            limiter.settle(r, tokens);
        } catch (RuntimeException e) {
            LOG.debugf("could not correct reservation %s: %s", r, e.getMessage());
        }
    }

    Duration delay(int attempt, Optional<Duration> retryAfter) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (retryAfter.isPresent()) {
            long base = retryAfter.get().toMillis();
            return Duration.ofMillis(base + random.nextLong(0, Math.max(1, Math.min(1000, base / 10)) + 1));
        }
        long initial = config.retry().initialDelay().toMillis();
        long max = config.retry().maxDelay().toMillis();
        long exp = Math.min(max, initial * (1L << Math.min(20, attempt - 1)));
        long jitter = (long) (exp * config.retry().jitter() * random.nextDouble());
        return Duration.ofMillis(Math.min(max, exp + jitter));
    }

    private static ClaudeFailure classify(Exception e) {
        if (e instanceof ClaudeFailure f) {
            return f;
        }
        if (e instanceof CircuitBreakerOpenException) {
            return new ClaudeFailure(Kind.CIRCUIT_OPEN, 0, "circuit breaker open (the Messages API failed repeatedly)",
                    Optional.empty(), 0, e);
        }
        if (e instanceof TimeoutException) {
            return new ClaudeFailure(Kind.TIMEOUT, 0, "timed out", Optional.empty(), 0, e);
        }
        if (e instanceof RetryLater r) {
            throw r;
        }
        return new ClaudeFailure(Kind.IO_ERROR, 0, "unexpected failure: " + e, Optional.empty(), 0, e);
    }
}
