package io.dialectica.graph.service;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Weighted PageRank by power iteration, computed in the service: the embedded Neo4j of the local stack
 * (and the community chart) has no Graph Data Science plugin, and a concept's category graph is small
 * (tens of nodes). Each node passes {@code damping} of its score along its outgoing edges in proportion
 * to their weights; a node without outgoing weight (a sink, or an isolated category) spreads it over
 * all nodes, and {@code 1 − damping} is spread evenly, so the scores always sum to 1.
 */
public final class PageRank {

    public static final double DAMPING = 0.85;
    private static final int MAX_ITERATIONS = 200;
    private static final double TOLERANCE = 1e-12;

    /** A directed, weighted edge between two node indexes. */
    public record Edge(int from, int to, double weight) {
    }

    private PageRank() {
    }

    public static double[] scores(int nodes, List<Edge> edges, double damping) {
        if (nodes == 0) {
            return new double[0];
        }
        double[] outWeight = new double[nodes];
        Map<Long, Double> merged = new HashMap<>();
        for (Edge e : edges) {
            if (e.from() == e.to() || e.weight() <= 0 || Double.isNaN(e.weight())) {
                continue;
            }
            outWeight[e.from()] += e.weight();
            merged.merge(((long) e.from() << 32) | e.to(), e.weight(), Double::sum);
        }
        double[] rank = new double[nodes];
        java.util.Arrays.fill(rank, 1.0 / nodes);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double sink = 0;
            for (int v = 0; v < nodes; v++) {
                if (outWeight[v] == 0) {
                    sink += rank[v];
                }
            }
            double base = (1 - damping) / nodes + damping * sink / nodes;
            double[] next = new double[nodes];
            java.util.Arrays.fill(next, base);
            for (Map.Entry<Long, Double> e : merged.entrySet()) {
                int from = (int) (e.getKey() >>> 32);
                int to = (int) (e.getKey() & 0xFFFFFFFFL);
                next[to] += damping * rank[from] * e.getValue() / outWeight[from];
            }
            double change = 0;
            for (int v = 0; v < nodes; v++) {
                change += Math.abs(next[v] - rank[v]);
            }
            rank = next;
            if (change < TOLERANCE) {
                break;
            }
        }
        return rank;
    }
}
