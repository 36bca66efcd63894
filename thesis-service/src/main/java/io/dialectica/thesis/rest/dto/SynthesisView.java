package io.dialectica.thesis.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stored synthesis. {@code proposedConcept} is shaped for {@code POST /api/concepts}: name,
 * description, tradition, categories (name, weight, description) and relations (from, to, type, weight,
 * rationale); the user may save it as a new concept.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SynthesisView(UUID id, UUID jobId, String mode, List<UUID> sourceConceptIds,
        Map<String, Object> proposedConcept, String generatedBy, Boolean cacheHit, String promptVersion,
        Instant createdAt, Usage interactions) {

    /**
     * What generating it took: the Claude calls behind it; tokens as the API's usage counts them (input
     * uncached, prompt-cache writes and reads apart), their cost by claude-worker's price table.
     */
    public record Usage(int calls, long inputTokens, long outputTokens, long cacheCreationInputTokens,
            long cacheReadInputTokens, long latencyMs, BigDecimal estimatedCostUsd, boolean cacheHit, List<String> models,
            List<String> requestIds) {
    }
}
