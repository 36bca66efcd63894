package io.dialectica.graph.rest.dto;

import java.util.List;

/** GET /api/graph/concepts/{id}: the concept as projected, with its categories and typed relations. */
public record ConceptGraphView(String id, String name, String description, String tradition, String owner,
        String visibility, String appliedLsn, List<Category> categories, List<Relation> relations) {

    /** A category of the concept, with the membership's weight and canvas position. */
    public record Category(String id, String name, String description, double weight, double x, double y) {
    }

    public record Relation(String id, String type, String fromCategoryId, String toCategoryId, double weight,
            String rationale) {
    }
}
