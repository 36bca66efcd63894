package io.dialectica.worker.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics (/q/metrics), names as docs/deploy.md's metrics contract expects:
 * {@code dialectica_claude_requests_total{outcome}} (success, rate_limited, overloaded, server_error,
 * timeout, io_error, client_error), {@code dialectica_claude_request_duration_seconds} (histogram),
 * {@code dialectica_claude_retries_total{cause}}, {@code dialectica_claude_tokens_total{kind,model}} (kind: input,
 * output, cache_write, cache_read), {@code dialectica_claude_cost_usd_total{model}} (the price table applied to
 * every call's usage),
 * {@code dialectica_worker_jobs_in_flight}, {@code dialectica_worker_jobs_total{outcome}},
 * {@code dialectica_worker_cache_total{result}}, {@code dialectica_worker_ratelimit_requests_in_window}
 * and {@code dialectica_worker_ratelimit_output_tokens_in_window} (as the shared limiter last reported).
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class WorkerMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requestsInWindow = new AtomicLong();
    private final AtomicLong tokensInWindow = new AtomicLong();
    private final ConcurrentHashMap<String, Timer> latencies = new ConcurrentHashMap<>();

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("dialectica.worker.jobs.in.flight", inFlight, AtomicInteger::doubleValue)
                .description("Jobs this replica is working on").register(registry);
        Gauge.builder("dialectica.worker.ratelimit.requests.in.window", requestsInWindow, AtomicLong::doubleValue)
                .description("Claude requests in the shared rate-limit window (all replicas), last seen")
                .register(registry);
        Gauge.builder("dialectica.worker.ratelimit.output.tokens.in.window", tokensInWindow, AtomicLong::doubleValue)
                .description("Output tokens reserved in the shared rate-limit window (all replicas), last seen")
                .register(registry);
    }

    public AtomicInteger inFlight() {
        return inFlight;
    }

    public void window(long requests, long tokens) {
        requestsInWindow.set(requests);
        tokensInWindow.set(tokens);
    }

    public void claudeRequest(String outcome, Duration duration) {
        Counter.builder("dialectica.claude.requests").description("Messages API calls by outcome")
                .tag("outcome", outcome).register(registry).increment();
        latencies.computeIfAbsent(outcome, o -> Timer.builder("dialectica.claude.request.duration")
                .description("Messages API calls, request to end of stream")
                .tag("outcome", o)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(50))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry)).record(duration);
    }

    public void retry(String cause) {
        Counter.builder("dialectica.claude.retries").description("Messages API calls retried, by cause")
                .tag("cause", cause).register(registry).increment();
    }

    /** One call's usage by kind and its cost (USD, by the price table). */
    public void usage(String model, long input, long output, long cacheWrite, long cacheRead, double costUsd) {
        String m = model == null ? "unknown" : model;
        tokens(m, "input", input);
        tokens(m, "output", output);
        tokens(m, "cache_write", cacheWrite);
        tokens(m, "cache_read", cacheRead);
        Counter.builder("dialectica.claude.cost.usd").description("What the Messages API calls cost, USD (price table)")
                .tag("model", m).register(registry).increment(costUsd);
    }

    private void tokens(String model, String kind, long n) {
        Counter.builder("dialectica.claude.tokens").description("Tokens of Messages API calls by kind (usage)")
                .tag("kind", kind).tag("model", model).register(registry).increment(n);
    }

    public void job(String outcome) {
        Counter.builder("dialectica.worker.jobs").description("Requests handled, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** Requests of Message Batches: {@code submitted} into a batch, {@code delivered} from an ended one. */
    public void batch(String event, long requests) {
        Counter.builder("dialectica.worker.batch.requests").description("Requests of Message Batches, by event")
                .tag("event", event).register(registry).increment(requests);
    }

    public void cache(boolean hit) {
        Counter.builder("dialectica.worker.cache").description("Response cache lookups")
                .tag("result", hit ? "hit" : "miss").register(registry).increment();
    }
}
