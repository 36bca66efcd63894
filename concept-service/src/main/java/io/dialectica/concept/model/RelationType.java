package io.dialectica.concept.model;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An entry of the controlled vocabulary of relation types, seeded by migration. */
@Entity
@Table(name = "relation_types")
public class RelationType {

    @Id
    public String code;

    public String description;
}
