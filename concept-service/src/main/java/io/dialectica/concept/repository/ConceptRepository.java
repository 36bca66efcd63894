package io.dialectica.concept.repository;

import io.dialectica.concept.model.Concept;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.util.UUID;

@ApplicationScoped
public class ConceptRepository implements PanacheRepositoryBase<Concept, UUID> {

    /** Loads a concept and locks its row until the transaction ends: writers of one concept queue up. */
    public Uni<Concept> findForUpdate(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }
}
