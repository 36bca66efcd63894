package io.dialectica.concept.repository;

import io.dialectica.concept.model.Concept;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** The listing (filtered, paged, sorted summaries) through Hibernate Reactive; everything else is in {@link ConceptStore}. */
@ApplicationScoped
public class ConceptRepository implements PanacheRepositoryBase<Concept, UUID> {
}
