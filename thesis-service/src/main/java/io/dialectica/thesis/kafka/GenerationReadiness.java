package io.dialectica.thesis.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the outbox relay and the consumer. Informational: a Kafka outage does not make the API
 * unready (jobs are still accepted; their requests wait in the outbox), so this check is always UP
 * and carries the details.
 */
@Readiness
@ApplicationScoped
public class GenerationReadiness implements HealthCheck {

    @Inject
    OutboxRelay relay;

    @Inject
    GenerationConsumer consumer;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("generation-topics").up()
                .withData("outboxRelay", relay.enabled())
                .withData("outboxPublished", relay.published())
                .withData("outboxLastSuccess", String.valueOf(relay.lastSuccess()))
                .withData("consumer", consumer.enabled())
                .withData("consumerAssignedPartitions", consumer.assignedPartitions())
                .withData("consumerLastPoll", String.valueOf(consumer.lastPoll()));
        if (relay.lastFailure() != null) {
            builder.withData("outboxLastFailure", relay.lastFailure());
        }
        return builder.build();
    }
}
