package io.dialectica.thesis.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A Kafka record waiting to be published, written in the same transaction as the job change it
 * announces. Only inserted through Hibernate; the relay reads and stamps rows with plain SQL.
 */
@Entity
@Table(name = "outbox")
public class OutboxMessage {

    public static final String REQUESTS = "requests";
    public static final String PROGRESS = "progress";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", nullable = false)
    public UUID jobId;

    /** {@link #REQUESTS} or {@link #PROGRESS}; the relay maps it to the configured topic. */
    @Column(nullable = false)
    public String channel;

    @Column(nullable = false)
    public String payload;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "published_at")
    public Instant publishedAt;
}
