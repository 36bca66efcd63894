package io.dialectica.thesis.model;

import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/**
 * A generation job. Every change happens under the row's lock ({@code SELECT ... FOR UPDATE}) in the
 * same transaction as the outbox rows announcing it; {@code version} counts the changes.
 */
@Entity
@Table(name = "jobs")
public class Job {

    @Id
    public UUID id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, updatable = false)
    public JobType type;

    @Column(name = "requested_by", nullable = false, updatable = false)
    public String requestedBy;

    @Column(name = "concept_ids", nullable = false, updatable = false)
    public UUID[] conceptIds;

    @Column(nullable = false, updatable = false)
    public int count;

    @Column(nullable = false, updatable = false)
    public String language;

    @Column(updatable = false)
    public String mode;

    /** interactive or batch (claude-worker puts the job into a Message Batch: half the price, within 24 h). */
    @Column(nullable = false, updatable = false)
    public String priority = "interactive";

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public JobStatus status;

    @Column(nullable = false)
    public int attempts;

    @Column(nullable = false)
    public int dispatches;

    public String error;

    @Column(name = "idempotency_key", updatable = false)
    public String idempotencyKey;

    @Column(name = "request_fingerprint", nullable = false, updatable = false)
    public String requestFingerprint;

    @Column(name = "last_phase")
    public String lastPhase;

    @Column(name = "last_output_tokens")
    public Integer lastOutputTokens;

    @Column(name = "last_message")
    public String lastMessage;

    @Column(name = "last_event_at", nullable = false)
    public Instant lastEventAt;

    @Column(name = "generated_by")
    public String generatedBy;

    @Column(name = "cache_hit")
    public Boolean cacheHit;

    @Column(name = "prompt_version")
    public String promptVersion;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(nullable = false)
    public long version;

    /** Usage summed from the stored result's interactions (null until a result was stored). */
    @Column(name = "input_tokens")
    public Long inputTokens;

    @Column(name = "output_tokens")
    public Long outputTokens;

    @Column(name = "cache_creation_input_tokens")
    public Long cacheCreationInputTokens;

    @Column(name = "cache_read_input_tokens")
    public Long cacheReadInputTokens;

    /** What the job cost, USD: the sum of its interactions' costs (null until a result was stored). */
    @Column(name = "cost_usd")
    public BigDecimal costUsd;

    /** The budget month the job is charged to (null for jobs from before budgets). */
    @Column(name = "budget_month", updatable = false)
    public LocalDate budgetMonth;

    /** What the job holds of its user's budget until it is settled (0 once settled). */
    @Column(name = "held_usd", nullable = false)
    public BigDecimal heldUsd = BigDecimal.ZERO;

    public void touch(Instant now) {
        version++;
        updatedAt = now;
    }

    /** Moves to a terminal status. */
    public void finish(JobStatus terminal, String reason, Instant now) {
        status = terminal;
        error = reason;
        finishedAt = now;
        lastEventAt = now;
        touch(now);
    }
}
