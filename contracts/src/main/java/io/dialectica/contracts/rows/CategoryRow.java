package io.dialectica.contracts.rows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.UUID;

/** A {@code categories} row (shared by every concept that includes it). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CategoryRow(
        UUID id,
        String name,
        @JsonProperty("canonical_name") String canonicalName,
        String description,
        @JsonProperty("created_at") Instant createdAt) {
}
