package io.dialectica.concept.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.util.UUID;

/** A category's membership in one concept: its weight there and its position on the canvas. */
@Entity
@Table(name = "concept_categories")
public class ConceptCategory {

    @Id
    public UUID id;

    @Column(name = "concept_id", nullable = false, updatable = false)
    public UUID conceptId;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "category_id", nullable = false, updatable = false)
    public Category category;

    @Column(nullable = false)
    public double weight;

    @Column(nullable = false)
    public double x;

    @Column(nullable = false)
    public double y;
}
