package io.dialectica.graph.projection;

import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ProjectionProgress;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.TreeMap;

/**
 * Ready = the projector consumes and its last Neo4j transaction succeeded (Neo4j's own check, from
 * quarkus-neo4j, is part of readiness too). While Neo4j is down the projector retries and this check
 * is DOWN. The details carry the applied position: the low watermark (LSN text and number), every
 * partition's position, the lag and the counters.
 */
@Readiness
@ApplicationScoped
public class ProjectionReadiness implements HealthCheck {

    private final ProjectionConsumer consumer;
    private final ProjectionProgress progress;
    private final ProjectionMetrics metrics;

    public ProjectionReadiness(ProjectionConsumer consumer, ProjectionProgress progress, ProjectionMetrics metrics) {
        this.consumer = consumer;
        this.progress = progress;
        this.metrics = metrics;
    }

    @Override
    public HealthCheckResponse call() {
        ProjectionConsumer.State state = consumer.state();
        boolean up = state == ProjectionConsumer.State.DISABLED
                || (state == ProjectionConsumer.State.RUNNING && consumer.consecutiveFailures() == 0);
        long low = progress.lowWatermark();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("graph-projection")
                .status(up)
                .withData("state", state.name())
                .withData("lowWatermark", Lsn.format(low))
                .withData("lowWatermarkLsn", low)
                .withData("lagMs", metrics.lagMs())
                .withData("eventsApplied", metrics.eventsApplied())
                .withData("groupsApplied", metrics.groupsApplied())
                .withData("repeatsSkipped", metrics.groupsRepeated())
                .withData("runsDropped", metrics.runsDropped())
                .withData("unknownRelationTypes", metrics.unknownRelationTypes())
                .withData("groupsFailed", metrics.groupsFailed())
                .withData("storeFailures", metrics.storeFailures());
        Map<String, String> positions = new TreeMap<>();
        progress.positions().forEach((topic, byPartition) -> byPartition.forEach(
                (partition, lsn) -> positions.put(topic + "-" + partition, Lsn.format(lsn))));
        positions.forEach((name, lsn) -> builder.withData("position:" + name, lsn));
        String error = consumer.lastError();
        if (error != null) {
            builder.withData("lastError", error);
        }
        return builder.build();
    }
}
