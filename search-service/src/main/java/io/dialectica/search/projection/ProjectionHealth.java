package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.messaging.EmbeddingConsumer;
import io.dialectica.search.progress.ProgressChannel;
import io.dialectica.search.progress.StoreProgress;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.TreeMap;

/**
 * Ready = OpenSearch answers (cluster not red) and the projector consumes. Details: the index's applied position
 * ({@code lowWatermark}/{@code lowWatermarkLsn}: every partition, whichever replica applied it, from the progress
 * documents), this replica's own partitions and position, lag, events applied, repeats, bulk sizes.
 */
@Readiness
@ApplicationScoped
public class ProjectionHealth implements HealthCheck {

    private final OpenSearch os;
    private final Projector projector;
    private final ProjectionProgress progress;
    private final ProjectionMetrics metrics;
    private final StoreProgress view;
    private final ProgressChannel channel;
    private final EmbeddingConsumer embeddings;

    public ProjectionHealth(OpenSearch os, Projector projector, ProjectionProgress progress, ProjectionMetrics metrics,
            StoreProgress view, ProgressChannel channel, EmbeddingConsumer embeddings) {
        this.embeddings = embeddings;
        this.view = view;
        this.channel = channel;
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
        long low = view.appliedLow();
        long own = progress.lowWatermark();
        Map<String, Object> positions = describe(progress.positions());
        Map<String, Object> indexPositions = describe(view.positions());
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("search-projection")
                .status(openSearch && consuming)
                .withData("opensearch", cluster)
                .withData("consumer", consuming ? "consuming" : "stopped")
                .withData("replica", channel.writer())
                .withData("assignedPartitions", (long) projector.assignedPartitions())
                .withData("ownsAllPartitions", projector.ownsAllPartitions())
                .withData("lowWatermark", Lsn.format(low))
                .withData("lowWatermarkLsn", low)
                .withData("ownLowWatermark", Lsn.format(own))
                .withData("verifiedLowWatermark", Lsn.format(view.verifiedLow()))
                .withData("progressChannel", channel.subscribed() ? "subscribed" : "not subscribed")
                .withData("progressStoreReads", view.storeReads())
                .withData("lagMs", metrics.lagMs())
                .withData("eventsApplied", (long) metrics.eventsApplied())
                .withData("groupsApplied", (long) metrics.groupsApplied())
                .withData("repeats", (long) metrics.repeats())
                .withData("droppedRuns", (long) metrics.droppedRunCount())
                .withData("bulks", (long) metrics.bulkCount())
                .withData("bulkMeanActions", Math.round(metrics.bulkMean()))
                .withData("fanoutDocuments", (long) metrics.fanoutCount())
                .withData("embeddingDocuments", embeddings.documentsWritten());
        if (embeddings.lastError() != null) {
            // the vectors' consumer retries on its own; semantic search only lags meanwhile: not a readiness matter
            builder.withData("embeddingError", embeddings.lastError());
        }
        positions.forEach((topic, text) -> builder.withData("positions " + topic, text.toString()));
        indexPositions.forEach((topic, text) -> builder.withData("index positions " + topic, text.toString()));
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

    private static Map<String, Object> describe(Map<String, Map<Integer, Long>> byTopic) {
        Map<String, Object> result = new TreeMap<>();
        byTopic.forEach((topic, byPartition) -> {
            Map<Integer, String> sorted = new TreeMap<>();
            byPartition.forEach((p, lsn) -> sorted.put(p, Lsn.format(lsn)));
            result.put(topic, sorted.toString());
        });
        return result;
    }
}
