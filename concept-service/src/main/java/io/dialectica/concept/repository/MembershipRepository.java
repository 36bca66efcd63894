package io.dialectica.concept.repository;

import io.dialectica.concept.model.ConceptCategory;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Memberships of categories in concepts, always read with their category. */
@ApplicationScoped
public class MembershipRepository implements PanacheRepositoryBase<ConceptCategory, UUID> {

    public Uni<List<ConceptCategory>> listByConcept(UUID conceptId) {
        return find("from ConceptCategory m join fetch m.category where m.conceptId = :concept order by m.category.name, m.id",
                Parameters.with("concept", conceptId)).list();
    }

    public Uni<ConceptCategory> findMembership(UUID conceptId, UUID categoryId) {
        return find("from ConceptCategory m join fetch m.category where m.conceptId = :concept and m.category.id = :category",
                Parameters.with("concept", conceptId).and("category", categoryId)).firstResult();
    }

    /** Bulk delete; the database cascades to the relations that touch these categories. */
    public Uni<Long> deleteMemberships(UUID conceptId, Collection<UUID> categoryIds) {
        if (categoryIds.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return delete("conceptId = :concept and category.id in :categories",
                Parameters.with("concept", conceptId).and("categories", categoryIds));
    }
}
