package io.dialectica.concept.repository;

import io.dialectica.concept.model.ConceptRelation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class RelationRepository implements PanacheRepositoryBase<ConceptRelation, UUID> {

    public Uni<List<ConceptRelation>> listByConcept(UUID conceptId) {
        return list("conceptId = :concept order by type, id", Parameters.with("concept", conceptId));
    }

    /**
     * A statement, never {@code session.remove(entity)}: Hibernate Reactive 3.1's delete coordinator keeps
     * the pending delete in a field shared by all sessions, so concurrent entity deletes complete each
     * other's futures on the wrong thread (HR000069, "expected row count 1 but was 0" for another
     * request's row) and leave transactions open (quarkusio/quarkus#41945).
     */
    public Uni<Long> deleteInConcept(UUID conceptId, UUID relationId) {
        return delete("conceptId = :concept and id = :id", Parameters.with("concept", conceptId).and("id", relationId));
    }

    public Uni<Long> deleteByIds(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return delete("id in :ids", Parameters.with("ids", ids));
    }
}
