package io.dialectica.contracts.generation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One job to run, on {@code dialectica.generation.requests} (key = job id). Published by thesis-service
 * (through its outbox) after the job row committed; consumed by claude-worker. A re-delivery is the
 * same job: the worker may run it again, thesis-service keeps the first result only.
 *
 * @param conceptIds one concept for THESES, 2–5 for SYNTHESIS, in the order the user gave
 * @param count      number of theses (THESES)
 * @param language   BCP 47 language tag of the output, e.g. "en"
 * @param mode       synthesis mode: dialectical, comparative, integrative (SYNTHESIS); null for THESES
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GenerationRequest(int v, UUID jobId, JobType type, String requestedBy, List<UUID> conceptIds, int count,
        String language, String mode, Instant requestedAt) {

    public static final int SCHEMA_VERSION = 1;
}
