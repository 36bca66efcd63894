package io.dialectica.gateway.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

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
        Timer.builder("gateway.requests")
                .description("Requests through the gateway, by route and backend")
                .tag("route", route)
                .tag("backend", backend)
                .tag("method", method)
                .tag("status", Integer.toString(status))
                .tag("outcome", outcome)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void rateLimitStoreError() {
        rateLimitStoreErrors.increment();
    }
}
