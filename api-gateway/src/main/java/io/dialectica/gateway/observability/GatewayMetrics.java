package io.dialectica.gateway.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's own meters. Tags are bounded on purpose: route and backend names come from the
 * configuration, never from the request path or the caller.
 */
@ApplicationScoped
public class GatewayMetrics {

    private final MeterRegistry registry;
    private final Counter rateLimited;
    private final Counter rateLimitStoreErrors;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.rateLimited = Counter.builder("gateway.ratelimit.rejected")
                .description("Requests refused with 429 because the caller's window was exhausted")
                .register(registry);
        this.rateLimitStoreErrors = Counter.builder("gateway.ratelimit.store.errors")
                .description("Requests let through without a rate-limit check because Redis failed or was slow")
                .register(registry);
    }

    /** One proxied (or refused-before-proxying) request of a route. */
    public void request(String route, String backend, String method, int status, String outcome, long nanos) {
        // one lookup in a small map instead of building and registering the meter id per request; the
        // key space is bounded like the tags (routes x backends x methods x statuses)
        timers.computeIfAbsent(new TimerKey(route, backend, method, status, outcome), this::timer)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(TimerKey key) {
        return Timer.builder("gateway.requests")
                .description("Requests through the gateway, by route and backend")
                .tag("route", key.route())
                .tag("backend", key.backend())
                .tag("method", key.method())
                .tag("status", Integer.toString(key.status()))
                .tag("outcome", key.outcome())
                .register(registry);
    }

    private record TimerKey(String route, String backend, String method, int status, String outcome) {
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void rateLimitStoreError() {
        rateLimitStoreErrors.increment();
    }
}
