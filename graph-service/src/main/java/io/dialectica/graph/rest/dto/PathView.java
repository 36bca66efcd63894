package io.dialectica.graph.rest.dto;

import java.util.List;

/**
 * GET /api/graph/paths: a shortest path between two categories over the relations of concepts the
 * caller can see. {@code categories} in path order (from … to); {@code steps[i]} joins categories i and
 * i+1 and names the relation in its own direction ({@code fromCategoryId → toCategoryId}), which may be
 * against the path's direction.
 */
public record PathView(String from, String to, int length, List<Category> categories, List<Step> steps) {

    public record Category(String id, String name) {
    }

    public record Step(String fromCategoryId, String toCategoryId, String type, String conceptId, double weight) {
    }
}
