package io.dialectica.gateway.health;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Reports Redis (the rate-limit store) in the readiness details but is always UP. The limiter fails
 * open when Redis is down or slow, so every gateway replica still serves correctly, only unlimited;
 * taking all of them out of the load balancer because of Redis would turn a degraded limit into a
 * total outage. Operators see the degradation here, in {@code gateway_ratelimit_store_errors_total}
 * and in the rate-limited warning log line.
 */
@Readiness
@ApplicationScoped
public class RateLimitStoreHealthCheck implements AsyncHealthCheck {

    static final String NAME = "gateway rate-limit store (informational)";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveRedisDataSource redis;

    public RateLimitStoreHealthCheck(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        long start = System.nanoTime();
        return redis.execute("PING")
                .ifNoItem().after(PROBE_TIMEOUT).fail()
                .map(pong -> "UP (PING " + (System.nanoTime() - start) / 1_000_000 + " ms)")
                .onFailure().recoverWithItem(failure -> "DOWN (" + failure.getClass().getSimpleName()
                        + "): the rate limit is not enforced (fail open)")
                .map(state -> HealthCheckResponse.named(NAME).up().withData("redis", state).build());
    }
}
