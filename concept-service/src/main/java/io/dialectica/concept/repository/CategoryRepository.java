package io.dialectica.concept.repository;

import io.dialectica.concept.model.Category;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

@ApplicationScoped
public class CategoryRepository implements PanacheRepositoryBase<Category, UUID> {

    // One statement, safe under concurrency: two concepts creating the same new category at once
    // both end up with the one row. A description given later fills a missing one, never overwrites.
    private static final String UPSERT = """
            insert into categories (id, name, canonical_name, description)
            values (:id, :name, :canonical, :description)
            on conflict (canonical_name)
            do update set description = coalesce(categories.description, excluded.description)
            returning id
            """;

    /** Returns the id of the category with this canonical name, creating it if needed. */
    public Uni<UUID> upsert(String name, String canonicalName, String description) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery(UPSERT, UUID.class)
                .setParameter("id", UUID.randomUUID())
                .setParameter("name", name)
                .setParameter("canonical", canonicalName)
                .setParameter("description", description)
                .getSingleResult());
    }
}
