package io.dialectica.graph.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * GET /api/graph/concepts/{id}/similar: visible concepts nearest by meaning, best first. {@code pending}: the
 * concept has no vector for its current text yet (just created or edited; it follows within the embedding delay),
 * so {@code items} is empty or answers for its previous text.
 */
public record SimilarView(String conceptId, boolean pending, List<Item> items) {

    /**
     * {@code score}: Neo4j's cosine similarity of the two vectors, scaled to 0..1 as (1 + cos) / 2;
     * {@code sharedCategories}: the names of the categories both include (by name, case-insensitive order), often
     * none: the meaning is close, not the categories.
     */
    @Schema(name = "SimilarItem")
    public record Item(String id, String name, String tradition, String description, double score,
            List<String> sharedCategories) {
    }
}
