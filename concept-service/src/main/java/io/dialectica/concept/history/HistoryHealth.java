package io.dialectica.concept.history;

import io.dialectica.contracts.Lsn;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The history consumer's state at {@code /q/health/group/history}: UP while it consumes and its last PostgreSQL
 * transaction succeeded (or when it is disabled). Deliberately not part of readiness: concept-service reads and writes
 * concepts without Kafka, and a history that lags must not take the system of record out of service.
 */
@HealthGroup("history")
@ApplicationScoped
public class HistoryHealth implements HealthCheck {

    private final HistoryConsumer consumer;
    private final HistoryMetrics metrics;

    public HistoryHealth(HistoryConsumer consumer, HistoryMetrics metrics) {
        this.consumer = consumer;
        this.metrics = metrics;
    }

    @Override
    public HealthCheckResponse call() {
        HistoryConsumer.State state = consumer.state();
        boolean up = state == HistoryConsumer.State.DISABLED
                || (state == HistoryConsumer.State.RUNNING && consumer.consecutiveFailures() == 0);
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("concept-history")
                .status(up)
                .withData("state", state.name())
                .withData("versionsRecorded", metrics.versionsRecorded())
                .withData("repeatsSkipped", metrics.repeatsSkipped())
                .withData("groupsWithoutBase", metrics.groupsWithoutBase())
                .withData("unreadable", metrics.unreadable())
                .withData("storeFailures", metrics.storeFailures())
                .withData("lagMs", metrics.lagMs())
                .withData("lastCommitLsn", Lsn.format(metrics.lastCommitLsn()));
        String error = consumer.lastError();
        if (error != null) {
            builder.withData("lastError", error);
        }
        return builder.build();
    }
}
