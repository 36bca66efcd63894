package io.dialectica.gateway.health;

import io.dialectica.gateway.jobs.JobSubscriptions;
import io.dialectica.gateway.jobs.ProgressConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the job progress consumer (its group, the partitions it reads, its last error) and the open
 * {@code /ws/jobs} connections, always UP: without Kafka the HTTP API works and subscribers still get a
 * job's current state, only no live events; that is no reason to take the replica out of the load balancer.
 */
@Readiness
@ApplicationScoped
public class JobProgressHealthCheck implements HealthCheck {

    static final String NAME = "gateway job progress (informational)";

    private final ProgressConsumer consumer;
    private final JobSubscriptions subscriptions;

    public JobProgressHealthCheck(ProgressConsumer consumer, JobSubscriptions subscriptions) {
        this.consumer = consumer;
        this.subscriptions = subscriptions;
    }

    @Override
    public HealthCheckResponse call() {
        int partitions = consumer.assignment().size();
        String error = consumer.lastError();
        return HealthCheckResponse.named(NAME).up()
                .withData("topic", consumer.topic())
                .withData("group", consumer.groupId())
                .withData("consumer", partitions > 0 ? "UP (" + partitions + " partitions)"
                        : "DOWN (no partitions assigned" + (error == null ? "" : ": " + error) + ")")
                .withData("connections", subscriptions.connections())
                .build();
    }
}
