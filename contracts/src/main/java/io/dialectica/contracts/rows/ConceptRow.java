package io.dialectica.contracts.rows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.UUID;

/**
 * A {@code concepts} row as carried in {@code before}/{@code after}; convert with your ObjectMapper
 * ({@code mapper.convertValue(envelope.after(), ConceptRow.class)}; needs the JSR-310 module, which Quarkus registers).
 *
 * <p>{@code changedBy} ({@code changed_by}, since concept-service's migration V6) is the JWT subject of the request
 * that wrote this version of the row: concept-service writes it in the same statement as the version, and just
 * before a delete, so the delete's before-image names who deleted. Null when unknown (rows written before V6, or by
 * a writer that bypassed concept-service without setting it).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConceptRow(
        UUID id,
        String owner,
        String name,
        String description,
        String tradition,
        String visibility,
        @JsonProperty("quality_score") double qualityScore,
        long version,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("changed_by") String changedBy) {
}
