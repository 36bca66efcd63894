package io.dialectica.concept.service;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityScoreTest {

    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();
    private static final UUID C = UUID.randomUUID();

    @Test
    void anEmptyConceptScoresZero() {
        assertEquals(0.0, QualityScore.of(null, 0, List.of()));
    }

    @Test
    void aFullyWorkedOutConceptScoresOne() {
        String description = "x".repeat(80);
        List<QualityScore.Edge> edges = List.of(new QualityScore.Edge(A, B, true), new QualityScore.Edge(B, C, true));
        assertEquals(1.0, QualityScore.of(description, 3, edges));
    }

    @Test
    void eachMissingPartCostsItsShare() {
        String description = "x".repeat(80);
        List<QualityScore.Edge> unjustified = List.of(new QualityScore.Edge(A, B, false), new QualityScore.Edge(B, C, false));
        assertEquals(0.8, QualityScore.of(description, 3, unjustified));
        // C is isolated: connectedness 2/3, relations 1 of the 2 wanted
        List<QualityScore.Edge> partial = List.of(new QualityScore.Edge(A, B, true));
        assertEquals(0.2 * (1 + 1 + 0.5 + 2 / 3.0 + 1), QualityScore.of(description, 3, partial), 0.001);
    }

    @Test
    void theScoreStaysWithinBounds() {
        List<QualityScore.Edge> many = List.of(new QualityScore.Edge(A, B, true), new QualityScore.Edge(B, A, true),
                new QualityScore.Edge(A, C, true), new QualityScore.Edge(C, B, false));
        double score = QualityScore.of("y".repeat(10_000), 3, many);
        assertTrue(score >= 0 && score <= 1, "score " + score);
    }
}
