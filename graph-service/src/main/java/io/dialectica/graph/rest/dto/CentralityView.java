package io.dialectica.graph.rest.dto;

import java.util.List;

/** GET /api/graph/concepts/{id}/centrality: PageRank of the concept's categories, highest first. */
public record CentralityView(String conceptId, List<Item> items) {

    public record Item(String categoryId, String name, double score) {
    }
}
