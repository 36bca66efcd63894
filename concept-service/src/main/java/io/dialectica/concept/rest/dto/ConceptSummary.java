package io.dialectica.concept.rest.dto;

import io.dialectica.concept.model.Visibility;

import java.time.Instant;
import java.util.UUID;

/** A concept in a listing: everything but its graph. */
public record ConceptSummary(
        UUID id,
        String owner,
        String name,
        String description,
        String tradition,
        Visibility visibility,
        double qualityScore,
        long version,
        Instant createdAt,
        Instant updatedAt) {
}
