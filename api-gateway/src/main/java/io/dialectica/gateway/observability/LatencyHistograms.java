package io.dialectica.gateway.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Set;

/**
 * Publishes request latency as histogram buckets, so Prometheus can compute p95 across pods: the
 * latency alert and the canary analysis in deploy/ read http_server_requests_seconds_bucket, and
 * gateway_requests_seconds_bucket splits the same by route and backend.
 */
public class LatencyHistograms {

    private static final Set<String> TIMERS = Set.of("http.server.requests", "gateway.requests");

    @Produces
    @Singleton
    public MeterFilter requestLatencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!TIMERS.contains(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(true)
                        .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                        .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
                        .build()
                        .merge(config);
            }
        };
    }
}
