package io.dialectica.contracts.generation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.UUID;

/**
 * What happened to a job, on {@code dialectica.generation.progress} (key = job id): what the gateway's
 * WebSocket forwards to subscribers (docs/events.md). claude-worker publishes {@code status} RUNNING,
 * {@code progress} and transient {@code error}s while it works; thesis-service publishes QUEUED,
 * CANCELLED, and the terminal SUCCEEDED ({@code result}, after the result is stored and readable) or
 * FAILED ({@code error}).
 *
 * @param type         {@code status}, {@code progress}, {@code result} or {@code error}
 * @param status       the job's status at that moment
 * @param phase        progress phase: {@code context}, {@code waiting-for-rate-limit}, {@code generating},
 *                     {@code validating}, {@code repairing}, {@code cached}, {@code batched} (a batch job waits in
 *                     claude-worker's queue or in a Message Batch; {@code message} says which); null otherwise
 * @param outputTokens output tokens received so far (progress)
 * @param resultUrl    where the result is readable (result), e.g. {@code /api/syntheses/{id}}
 * @param message      human-readable detail (error, or a progress note)
 * @param attempt      the worker's delivery attempt, 1-based (0 when thesis-service publishes)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobEvent(int v, UUID jobId, String type, JobStatus status, String phase, Integer outputTokens,
        String resultUrl, String message, int attempt, Instant at) {

    public static final int SCHEMA_VERSION = 1;
    public static final String STATUS = "status";
    public static final String PROGRESS = "progress";
    public static final String RESULT = "result";
    public static final String ERROR = "error";
}
