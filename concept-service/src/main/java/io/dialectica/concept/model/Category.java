package io.dialectica.concept.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A category, shared by every concept that includes it; identified by its canonical name. */
@Entity
@Table(name = "categories")
public class Category {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    @Column(name = "canonical_name", nullable = false, unique = true, updatable = false)
    public String canonicalName;

    public String description;

    @Column(name = "created_at", nullable = false, updatable = false, insertable = false)
    public Instant createdAt;
}
