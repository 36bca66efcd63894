package io.dialectica.graph.service;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PageRankTest {

    private static double sum(double[] scores) {
        return Arrays.stream(scores).sum();
    }

    /** Two nodes pointing at each other: symmetric, 1/2 each. */
    @Test
    void cycleIsUniform() {
        double[] r = PageRank.scores(2, List.of(new PageRank.Edge(0, 1, 0.3), new PageRank.Edge(1, 0, 0.9)), 0.85);
        assertEquals(0.5, r[0], 1e-12);
        assertEquals(0.5, r[1], 1e-12);
    }

    /**
     * 0 → 1 only (1 is a sink): r0 = 0.15/2 + 0.85·r1/2, r1 = r0 + 0.85·r0 (it also gets r0's share),
     * r0 + r1 = 1 → r0 = 1/2.85, r1 = 1.85/2.85.
     */
    @Test
    void sinkSpreadsItsScoreEvenly() {
        double[] r = PageRank.scores(2, List.of(new PageRank.Edge(0, 1, 1.0)), 0.85);
        assertEquals(1 / 2.85, r[0], 1e-12);
        assertEquals(1.85 / 2.85, r[1], 1e-12);
    }

    /** Weights split a node's share; parallel edges add up; zero-weight edges and self-loops count for nothing. */
    @Test
    void weightsSplitTheShare() {
        List<PageRank.Edge> edges = List.of(new PageRank.Edge(0, 1, 0.3), new PageRank.Edge(0, 1, 0.3),
                new PageRank.Edge(0, 2, 0.2), new PageRank.Edge(1, 2, 0.5), new PageRank.Edge(2, 2, 1.0),
                new PageRank.Edge(3, 0, 0.0));
        double[] r = PageRank.scores(4, edges, 0.85);
        // the hand-computed example of ReadApiTest: A→B 0.6, A→C 0.2, B→C 0.5, D isolated
        assertEquals(0.1602083, r[0], 1e-7);
        assertEquals(0.2623410, r[1], 1e-7);
        assertEquals(0.4172424, r[2], 1e-7);
        assertEquals(0.1602083, r[3], 1e-7);
        assertEquals(1.0, sum(r), 1e-12);
    }

    @Test
    void isolatedNodesShareEqually() {
        double[] r = PageRank.scores(3, List.of(), 0.85);
        assertEquals(1.0 / 3, r[0], 1e-12);
        assertEquals(1.0, sum(r), 1e-12);
        assertEquals(0, PageRank.scores(0, List.of(), 0.85).length);
    }
}
