package io.dialectica.worker.context;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.UUID;

/** The shapes graph-service answers with (only the fields the worker uses; unknown ones are ignored). */
public final class GraphModels {

    private GraphModels() {
    }

    /** {@code GET /api/graph/concepts/{id}} */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ConceptGraph(UUID id, String name, String description, String tradition, String owner,
            String visibility, List<Category> categories, List<Relation> relations) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Category(UUID id, String name, String description, Double weight) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Relation(UUID id, String type, UUID fromCategoryId, UUID toCategoryId, Double weight,
            String rationale) {
    }

    /** {@code GET /api/graph/concepts/{id}/centrality} (PageRank, highest first). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Centrality(UUID conceptId, List<CentralityItem> items) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CentralityItem(UUID categoryId, String name, double score) {
    }

    /** {@code GET /api/graph/concepts/{id}/similar} (nearest by meaning first). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Similar(UUID conceptId, boolean pending, List<SimilarItem> items) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SimilarItem(UUID id, String name, String tradition, String description, double score,
            List<String> sharedCategories) {
    }

    /** {@code GET /api/graph/concepts/{id}/related} (most related first). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Related(UUID conceptId, List<RelatedItem> items) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RelatedItem(UUID id, String name, String tradition, double score, List<String> sharedCategories) {
    }
}
