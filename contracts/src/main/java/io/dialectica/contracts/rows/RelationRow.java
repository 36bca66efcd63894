package io.dialectica.contracts.rows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.UUID;

/** A {@code concept_relations} row: a typed relation between two categories of one concept. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RelationRow(
        UUID id,
        @JsonProperty("concept_id") UUID conceptId,
        @JsonProperty("from_category_id") UUID fromCategoryId,
        @JsonProperty("to_category_id") UUID toCategoryId,
        String type,
        double weight,
        String rationale) {
}
