package io.dialectica.contracts.rows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.UUID;

/**
 * A {@code concepts} row as carried in {@code before}/{@code after}; convert with your ObjectMapper
 * ({@code mapper.convertValue(envelope.after(), ConceptRow.class)}; needs the JSR-310 module, which Quarkus registers).
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
        @JsonProperty("updated_at") Instant updatedAt) {
}
