package io.dialectica.contracts.generation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A finished attempt, on {@code dialectica.generation.results} (key = job id), from claude-worker to
 * thesis-service, which stores the first one of a job and ignores repeats (a re-delivered request that
 * ran twice). Failures for good (validation failed after the repair round-trip, poison request) are
 * results too, with {@code succeeded} false and an {@code error}.
 *
 * @param theses       THESES jobs: in order
 * @param synthesis    SYNTHESIS jobs: the proposed concept
 * @param interactions one per Claude call made for this attempt (or the cached one reused)
 * @param generatedBy  "claude" or "stand-in" (the local Messages API stand-in made it)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GenerationResult(int v, UUID jobId, int attempt, boolean succeeded, String error, List<Thesis> theses,
        ProposedConcept synthesis, List<Interaction> interactions, boolean cacheHit, String generatedBy,
        String promptVersion, Instant finishedAt) {

    public static final int SCHEMA_VERSION = 1;

    /** One thesis: its text, why it follows, and the category names it rests on. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Thesis(int order, String text, String rationale, List<String> categories) {
    }

    /** A concept proposed by a synthesis, shaped so the user can save it through concept-service. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ProposedConcept(String name, String description, String tradition, List<ProposedCategory> categories,
            List<ProposedRelation> relations, List<UUID> sourceConceptIds, String mode) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ProposedCategory(String name, String description, double weight) {
    }

    /** A relation between two of the proposed categories, by name; type is a relation type code. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ProposedRelation(String from, String to, String type, double weight, String rationale) {
    }

    /**
     * One Claude Messages API call (or, {@code cacheHit}, a stored answer of the response cache reused at no
     * cost). The token counts are the API's {@code usage}: {@code inputTokens} is the uncached input,
     * {@code cacheCreationInputTokens} / {@code cacheReadInputTokens} the prompt-cache writes and reads (0 in
     * results written before they existed). {@code estimatedCostUsd} is claude-worker's price table applied to
     * that usage, exactly (USD).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Interaction(String model, int inputTokens, int outputTokens, long latencyMs,
            BigDecimal estimatedCostUsd, String requestId, boolean cacheHit, String purpose,
            int cacheCreationInputTokens, int cacheReadInputTokens) {
    }
}
