package io.dialectica.graph.rest.dto;

import java.util.List;

/** GET /api/graph/concepts/{id}/related: visible concepts sharing categories, best first. */
public record RelatedView(String conceptId, List<Item> items) {

    /** {@code score}: Σ over shared categories of (weight here × weight there). */
    public record Item(String id, String name, String tradition, double score, List<String> sharedCategories) {
    }
}
