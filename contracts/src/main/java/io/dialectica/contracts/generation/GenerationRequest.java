package io.dialectica.contracts.generation;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
 * @param priority   {@value #INTERACTIVE} (run at once, streamed) or {@value #BATCH} (collected into a Message Batch at
 *                   half price, results within 24 h); absent (null) in records of producers before it existed, which
 *                   means interactive — so old records and old consumers keep working (consumers ignore unknown fields)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GenerationRequest(int v, UUID jobId, JobType type, String requestedBy, List<UUID> conceptIds, int count,
        String language, String mode, Instant requestedAt, String priority) {

    public static final int SCHEMA_VERSION = 1;
    public static final String INTERACTIVE = "interactive";
    public static final String BATCH = "batch";

    /** An interactive request (the form before priorities existed). */
    public GenerationRequest(int v, UUID jobId, JobType type, String requestedBy, List<UUID> conceptIds, int count,
            String language, String mode, Instant requestedAt) {
        this(v, jobId, type, requestedBy, conceptIds, count, language, mode, requestedAt, null);
    }

    /** Whether the job goes into a Message Batch. */
    @JsonIgnore
    public boolean batch() {
        return BATCH.equals(priority);
    }
}
