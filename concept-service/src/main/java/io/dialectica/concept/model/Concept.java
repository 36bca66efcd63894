package io.dialectica.concept.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A concept: a named graph of categories and relations owned by one user.
 * Its memberships and relations are separate rows queried explicitly (no mapped collections), so a
 * write touches exactly the rows it means to. {@code version} is bumped by the service on every
 * change, under a row lock, and is the concept's ETag.
 */
@Entity
@Table(name = "concepts")
public class Concept {

    @Id
    public UUID id;

    @Column(nullable = false, updatable = false)
    public String owner;

    @Column(nullable = false)
    public String name;

    public String description;

    public String tradition;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Visibility visibility;

    @Column(name = "quality_score", nullable = false)
    public double qualityScore;

    @Column(nullable = false)
    public long version;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** Marks a committed change: the next version and a fresh modification time. */
    public void touch(Instant now) {
        version++;
        updatedAt = now;
    }
}
