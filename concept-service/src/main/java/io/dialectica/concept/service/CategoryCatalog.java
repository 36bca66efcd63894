package io.dialectica.concept.service;

import io.dialectica.concept.model.Category;
import io.dialectica.concept.repository.CategoryRepository;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The shared categories: found by canonical name, created on first use. */
@ApplicationScoped
public class CategoryCatalog {

    @Inject
    CategoryRepository categories;

    /** The shared category for each planned one, keyed by canonical name. */
    public Uni<Map<String, Category>> ensure(List<GraphPlan.PlannedCategory> planned) {
        if (planned.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        // always in canonical-name order: each upsert row-locks an existing category, and two concurrent
        // writes that lock shared categories in different orders deadlock (40P01)
        List<GraphPlan.PlannedCategory> inLockOrder = planned.stream()
                .sorted(Comparator.comparing(GraphPlan.PlannedCategory::canonicalName)).toList();
        return Unis.mapSequentially(inLockOrder, c -> categories.upsert(c.name(), c.canonicalName(), c.description()))
                // read after the upserts, so the rows are as stored; every caller ensures categories before it
                // loads any (no stale copy in the session, hence no refresh: that logged HHH90000034 per write)
                .chain(ids -> categories.list("id in :ids", Parameters.with("ids", ids)))
                .map(found -> found.stream().collect(Collectors.toMap(c -> c.canonicalName, Function.identity())));
    }
}
