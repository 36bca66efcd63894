package io.dialectica.graph.projection;

import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.progress.StoreProgress;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ready = the projector consumes and its last Neo4j transaction succeeded (Neo4j's own check, from
 * quarkus-neo4j, is part of readiness too). While Neo4j is down the projector retries and this check
 * is DOWN. The details carry the applied position: the low watermark of the store (LSN text and number:
 * what token reads are answered against, whichever replica applied what), this replica's own partitions and
 * their positions, the lag and the counters.
 */
@Readiness
@ApplicationScoped
public class ProjectionReadiness implements HealthCheck {

    private final ProjectionConsumer consumer;
    private final ProjectionProgress progress;
    private final StoreProgress view;
    private final ProjectionMetrics metrics;

    public ProjectionReadiness(ProjectionConsumer consumer, ProjectionProgress progress, StoreProgress view,
            ProjectionMetrics metrics) {
        this.consumer = consumer;
        this.progress = progress;
        this.view = view;
        this.metrics = metrics;
    }

    @Override
    public HealthCheckResponse call() {
        ProjectionConsumer.State state = consumer.state();
        boolean up = state == ProjectionConsumer.State.DISABLED
                || (state == ProjectionConsumer.State.RUNNING && consumer.consecutiveFailures() == 0);
        // what another replica applied reaches this view within a refresh interval (1 s); a health check asks for a
        // read within a poll interval (10 ms) and answers with the view as it is (never blocks: the event loop runs it)
        view.refreshSoon(Duration.ofMillis(100));
        long low = view.lowWatermark();
        int assigned = progress.positions().values().stream().mapToInt(Map::size).sum();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("graph-projection")
                .status(up)
                .withData("state", state.name())
                .withData("lowWatermark", Lsn.format(low))
                .withData("lowWatermarkLsn", low)
                .withData("ownLowWatermarkLsn", progress.lowWatermark())
                .withData("partitionsAssigned", assigned)
                .withData("progressReads", view.storeReads())
                .withData("progressAgeMs", view.ageMs())
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
