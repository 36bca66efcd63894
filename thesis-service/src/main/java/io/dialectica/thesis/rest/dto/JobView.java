package io.dialectica.thesis.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A job as the API shows it. {@code id} and {@code jobId} are the same value ({@code jobId} is what a
 * WebSocket subscribe names); {@code progressUrl} is where to subscribe. {@code phase},
 * {@code outputTokens} and {@code message} are the last progress the worker reported; {@code resultUrl},
 * {@code generatedBy} and {@code cacheHit} appear once the job SUCCEEDED. {@code usage} and {@code costUsd}
 * appear once a result was stored (SUCCEEDED, or FAILED with the worker's reason): the Claude calls' tokens
 * by kind and what they cost by the price table, USD (0 for an answer from the response cache; half price for a
 * {@code batch} job's calls). {@code priority}: interactive or batch.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(UUID id, UUID jobId, JobType type, JobStatus status, String requestedBy, List<UUID> conceptIds,
        Integer count, String language, String mode, String priority, int attempts, int dispatches, String error, String phase,
        Integer outputTokens, String message, String resultUrl, String progressUrl, String generatedBy,
        Boolean cacheHit, String promptVersion, Usage usage, BigDecimal costUsd, Instant createdAt, Instant startedAt,
        Instant finishedAt, Instant updatedAt, Instant lastEventAt, long version) {

    /**
     * Tokens of the job's Claude calls, as the API's usage reports them: {@code inputTokens} uncached input,
     * {@code cacheCreationInputTokens} written to and {@code cacheReadInputTokens} read from the prompt cache,
     * {@code outputTokens} generated.
     */
    public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {
    }
}
