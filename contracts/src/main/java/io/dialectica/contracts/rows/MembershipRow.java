package io.dialectica.contracts.rows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.UUID;

/** A {@code concept_categories} row: a category's membership in a concept, with weight and canvas position. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MembershipRow(
        UUID id,
        @JsonProperty("concept_id") UUID conceptId,
        @JsonProperty("category_id") UUID categoryId,
        double weight,
        double x,
        double y) {
}
