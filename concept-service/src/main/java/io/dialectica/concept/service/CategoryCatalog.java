package io.dialectica.concept.service;

import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.PipelinedTransaction;
import io.dialectica.concept.repository.StoredConcept.NewCategory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/**
 * The shared categories: found by canonical name, created on first use; a description fills a missing one and
 * never overwrites another. At most two statements whatever the number of categories, issued into the write's
 * pipeline (their answers are not needed to build the next statements: those find categories by canonical
 * name). Lock order: new names are inserted, and descriptions filled, in canonical-name order, so two writes
 * sharing categories never wait for each other in opposite orders (40P01). An existing category is neither
 * locked nor rewritten by a write that merely uses it.
 */
@ApplicationScoped
public class CategoryCatalog {

    @Inject
    ConceptStore store;

    /**
     * Issues the statements that make {@code created} exist (those already stored stay as they are) and give
     * those of {@code described} that carry a description and have none that description.
     *
     * @return whether descriptions may have been filled (then a category's description as stored must be read
     *         after these statements, not taken from an earlier read)
     */
    public boolean ensure(PipelinedTransaction tx, List<GraphPlan.PlannedCategory> created,
            List<GraphPlan.PlannedCategory> described) {
        if (!created.isEmpty()) {
            store.insertCategories(tx, created.stream().map(CategoryCatalog::row).toList());
        }
        List<NewCategory> withDescription = described.stream().filter(c -> c.description() != null)
                .map(CategoryCatalog::row).toList();
        if (withDescription.isEmpty()) {
            return false;
        }
        store.fillDescriptions(tx, withDescription);
        return true;
    }

    private static NewCategory row(GraphPlan.PlannedCategory category) {
        return new NewCategory(category.name(), category.canonicalName(), category.description());
    }
}
