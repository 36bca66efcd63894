package io.dialectica.concept.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.util.UUID;

/**
 * A typed, weighted relation between two categories of the same concept. The database's composite
 * foreign keys guarantee both ends are members of the concept.
 */
@Entity
@Table(name = "concept_relations")
public class ConceptRelation {

    @Id
    public UUID id;

    @Column(name = "concept_id", nullable = false, updatable = false)
    public UUID conceptId;

    @Column(name = "from_category_id", nullable = false, updatable = false)
    public UUID fromCategoryId;

    @Column(name = "to_category_id", nullable = false, updatable = false)
    public UUID toCategoryId;

    /** A code of {@link RelationType}; never free text. */
    @Column(nullable = false, updatable = false)
    public String type;

    @Column(nullable = false)
    public double weight;

    public String rationale;
}
