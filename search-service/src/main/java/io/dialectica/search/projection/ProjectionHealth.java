package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.search.index.OpenSearch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.TreeMap;

/**
 * Ready = OpenSearch answers (cluster not red) and the projector consumes. Details: the applied position (low
 * watermark as LSN text and number, per-partition positions), lag, events applied, repeats, bulk sizes.
 */
@Readiness
@ApplicationScoped
public class ProjectionHealth implements HealthCheck {

    private final OpenSearch os;
    private final Projector projector;
    private final ProjectionProgress progress;
    private final ProjectionMetrics metrics;

    public ProjectionHealth(OpenSearch os, Projector projector, ProjectionProgress progress, ProjectionMetrics metrics) {
        this.os = os;
        this.projector = projector;
        this.progress = progress;
        this.metrics = metrics;
    }

    @Override
    public HealthCheckResponse call() {
        String cluster;
        try {
            OpenSearch.Reply reply = os.call("GET", "/_cluster/health?timeout=2s", null);
            JsonNode status = reply.body().path("status");
            cluster = reply.ok() ? status.asText("unknown") : "HTTP " + reply.status();
        } catch (RuntimeException e) {
            cluster = "unreachable";
        }
        boolean openSearch = cluster.equals("green") || cluster.equals("yellow");
        boolean consuming = projector.isConsuming();
        long low = progress.lowWatermark();
        Map<String, Object> positions = new TreeMap<>();
        progress.positions().forEach((topic, byPartition) -> {
            Map<String, String> sorted = new TreeMap<>();
            byPartition.forEach((p, lsn) -> sorted.put(Integer.toString(p), Lsn.format(lsn)));
            positions.put(topic, sorted.toString());
        });
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("search-projection")
                .status(openSearch && consuming)
                .withData("opensearch", cluster)
                .withData("consumer", consuming ? "consuming" : "stopped")
                .withData("ownsAllPartitions", projector.ownsAllPartitions())
                .withData("lowWatermark", Lsn.format(low))
                .withData("lowWatermarkLsn", low)
                .withData("lagMs", metrics.lagMs())
                .withData("eventsApplied", (long) metrics.eventsApplied())
                .withData("groupsApplied", (long) metrics.groupsApplied())
                .withData("repeats", (long) metrics.repeats())
                .withData("droppedRuns", (long) metrics.droppedRunCount())
                .withData("bulks", (long) metrics.bulkCount())
                .withData("bulkMeanActions", Math.round(metrics.bulkMean()))
                .withData("fanoutDocuments", (long) metrics.fanoutCount());
        positions.forEach((topic, text) -> builder.withData("positions " + topic, text.toString()));
        BatchWriter.Targets targets = projector.targets();
        if (targets != null) {
            builder.withData("index", targets.live());
            builder.withData("writeTargets", String.join(",", targets.all()));
        }
        String error = projector.lastError();
        if (error != null) {
            builder.withData("lastError", error);
        }
        return builder.build();
    }
}
