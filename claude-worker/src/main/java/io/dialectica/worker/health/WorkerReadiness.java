package io.dialectica.worker.health;

import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.kafka.RequestConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready = the Kafka request loop is polling (Redis has its own check: quarkus.redis.health). */
@Readiness
@ApplicationScoped
public class WorkerReadiness implements HealthCheck {

    private final RequestConsumer consumer;
    private final WorkerConfig config;

    public WorkerReadiness(RequestConsumer consumer, WorkerConfig config) {
        this.consumer = consumer;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = !config.enabled() || consumer.healthy();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("kafka-requests")
                .status(up)
                .withData("group", config.kafka().group())
                .withData("topic", config.kafka().requestsTopic())
                .withData("jobsInFlight", consumer.busy())
                .withData("paused", consumer.paused());
        if (consumer.lastError() != null) {
            b.withData("lastError", consumer.lastError());
        }
        return b.build();
    }
}
