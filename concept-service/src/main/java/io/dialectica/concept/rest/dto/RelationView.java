package io.dialectica.concept.rest.dto;

import java.util.UUID;

public record RelationView(
        UUID id, String from, String to, UUID fromCategoryId, UUID toCategoryId, String type, double weight, String rationale) {
}
