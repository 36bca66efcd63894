package io.dialectica.e2e.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageLatenciesTest {

    private static String metrics(double at10ms, double at100ms, double at1s, double total) {
        return """
                # HELP dialectica_graph_apply_latency_seconds Source commit to applied
                # TYPE dialectica_graph_apply_latency_seconds histogram
                dialectica_graph_apply_latency_seconds_bucket{le="0.01"} %s
                dialectica_graph_apply_latency_seconds_bucket{le="0.1"} %s
                dialectica_graph_apply_latency_seconds_bucket{le="1.0"} %s
                dialectica_graph_apply_latency_seconds_bucket{le="+Inf"} %s
                dialectica_graph_apply_latency_seconds_count %s
                dialectica_graph_apply_latency_seconds_sum 12.5
                dialectica_graph_apply_latency_seconds_max 3.0
                """.formatted(at10ms, at100ms, at1s, total, total);
    }

    @Test
    void quantilesComeFromTheBucketsRecordedBetweenTheTwoSnapshots() {
        // before: 100 fast changes; during the phase: 10 more under 10 ms, 80 under 100 ms, 10 under 1 s
        TreeMap<Double, Double> before = new TreeMap<>();
        StageLatencies.buckets(metrics(100, 100, 100, 100), "dialectica_graph_apply_latency_seconds", before);
        TreeMap<Double, Double> after = new TreeMap<>();
        StageLatencies.buckets(metrics(110, 190, 200, 200), "dialectica_graph_apply_latency_seconds", after);

        assertEquals(100.0, StageLatencies.quantileMs(before, after, 0.50), 1e-9, "the phase's median, not the process's");
        assertEquals(1000.0, StageLatencies.quantileMs(before, after, 0.99), 1e-9);
        assertEquals(10.0, StageLatencies.quantileMs(before, after, 0.10), 1e-9);
    }

    @Test
    void replicasAreSummedAndAPhaseWithoutChangesHasNoQuantile() {
        StageLatencies stages = new StageLatencies(List.of(new StageLatencies.Stage("applied in Neo4j",
                List.of("a", "b"), "dialectica_graph_apply_latency_seconds")),
                url -> url.equals("a") ? metrics(0, 10, 10, 10) : metrics(0, 0, 10, 10));
        Map<String, TreeMap<Double, Double>> snapshot = stages.snapshot();
        assertEquals(20.0, snapshot.get("applied in Neo4j").get(Double.POSITIVE_INFINITY), 1e-9);
        assertEquals(10.0, snapshot.get("applied in Neo4j").get(0.1), 1e-9);
        assertEquals(List.of("- / -"), stages.cells(snapshot, stages.snapshot()));
        assertTrue(Double.isNaN(StageLatencies.quantileMs(new TreeMap<>(), new TreeMap<>(), 0.5)));
    }

    @Test
    void aServiceServingSeveralStagesIsReadOncePerSnapshot() {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        StageLatencies stages = new StageLatencies(List.of(
                new StageLatencies.Stage("first", List.of("cdc"), "dialectica_graph_apply_latency_seconds"),
                new StageLatencies.Stage("second", List.of("cdc"), "dialectica_graph_apply_latency_seconds")),
                url -> {
                    reads.incrementAndGet();
                    return metrics(1, 2, 3, 4);
                });
        Map<String, TreeMap<Double, Double>> snapshot = stages.snapshot();
        assertEquals(1, reads.get());
        assertEquals(4.0, snapshot.get("second").get(Double.POSITIVE_INFINITY), 1e-9);
    }
}
