package io.dialectica.concept.rest.dto;

import io.dialectica.concept.model.Visibility;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

public record ConceptView(
        UUID id,
        String owner,
        String name,
        String description,
        String tradition,
        Visibility visibility,
        double qualityScore,
        long version,
        Instant createdAt,
        Instant updatedAt,
        List<CategoryView> categories,
        List<RelationView> relations) {
}
