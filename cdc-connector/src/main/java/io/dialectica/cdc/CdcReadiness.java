package io.dialectica.cdc;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready = the Debezium task is streaming and Kafka answered the last probe (every 5 s). */
@Readiness
@ApplicationScoped
public class CdcReadiness implements HealthCheck {

    private final CdcEngine engine;
    private final CdcMetrics metrics;
    private final CdcConfig config;

    public CdcReadiness(CdcEngine engine, CdcMetrics metrics, CdcConfig config) {
        this.engine = engine;
        this.metrics = metrics;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        boolean running = engine.isRunning();
        boolean kafka = engine.isKafkaReachable();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("cdc-connector")
                .status(running && kafka)
                .withData("engine", running ? "running" : "stopped")
                .withData("kafka", kafka ? "reachable" : "unreachable")
                .withData("slot", config.slotName())
                .withData("lastCommitLsn", io.dialectica.contracts.Lsn.format(metrics.lastCommitLsn()))
                .withData("behindSourceMs", metrics.behindSourceMs());
        String error = engine.lastError();
        if (error != null) {
            builder.withData("lastError", error);
        }
        return builder.build();
    }
}
