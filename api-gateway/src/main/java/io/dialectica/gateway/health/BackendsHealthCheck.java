package io.dialectica.gateway.health;

import io.dialectica.gateway.proxy.BackendClient;
import io.dialectica.gateway.proxy.BackendRegistry;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;

/**
 * Reports each backend (does its health path answer, and the state of its circuit breaker) in the
 * readiness details, but is always UP: a backend that is down already gets its own fast 503s, and
 * taking every gateway replica out of the load balancer because of it would turn one failing
 * service into a total outage. Redis is reported the same way ({@link RateLimitStoreHealthCheck}).
 */
@Readiness
@ApplicationScoped
public class BackendsHealthCheck implements AsyncHealthCheck {

    private static final long PROBE_TIMEOUT_MILLIS = 1000;

    private final BackendRegistry backends;

    public BackendsHealthCheck(BackendRegistry backends) {
        this.backends = backends;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        List<BackendClient> all = List.copyOf(backends.all());
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("gateway backends (informational)").up();
        if (all.isEmpty()) {
            return Uni.createFrom().item(builder.build());
        }
        List<Uni<String>> probes = all.stream().map(BackendsHealthCheck::probe).toList();
        return Uni.join().all(probes).andCollectFailures().map(states -> {
            for (int i = 0; i < all.size(); i++) {
                builder.withData(all.get(i).name(), states.get(i) + ", circuit " + all.get(i).circuitState());
            }
            return builder.build();
        });
    }

    private static Uni<String> probe(BackendClient backend) {
        return backend.probe(PROBE_TIMEOUT_MILLIS)
                .map(status -> (status < 400 ? "UP" : "DOWN") + " (HTTP " + status + ")")
                .onFailure().recoverWithItem(failure -> "DOWN (" + failure.getClass().getSimpleName() + ")");
    }
}
