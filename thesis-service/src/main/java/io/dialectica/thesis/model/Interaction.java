package io.dialectica.thesis.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** One Claude Messages API call (or a reused cached answer) behind a job's stored result. */
@Entity
@Table(name = "interactions")
public class Interaction {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", nullable = false)
    public UUID jobId;

    @Column(nullable = false)
    public int attempt;

    public String model;

    @Column(name = "input_tokens", nullable = false)
    public int inputTokens;

    @Column(name = "output_tokens", nullable = false)
    public int outputTokens;

    @Column(name = "cache_creation_input_tokens", nullable = false)
    public int cacheCreationInputTokens;

    @Column(name = "cache_read_input_tokens", nullable = false)
    public int cacheReadInputTokens;

    @Column(name = "latency_ms", nullable = false)
    public long latencyMs;

    @Column(name = "estimated_cost_usd")
    public BigDecimal estimatedCostUsd;

    @Column(name = "request_id")
    public String requestId;

    @Column(name = "cache_hit", nullable = false)
    public boolean cacheHit;

    public String purpose;

    @Column(name = "generated_by")
    public String generatedBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
