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

    public Uni<ConceptRelation> findInConcept(UUID conceptId, UUID relationId) {
        return find("conceptId = :concept and id = :id", Parameters.with("concept", conceptId).and("id", relationId))
                .firstResult();
    }

    public Uni<Long> deleteByIds(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return delete("id in :ids", Parameters.with("ids", ids));
    }
}
