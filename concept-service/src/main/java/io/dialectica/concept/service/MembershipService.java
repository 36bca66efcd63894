package io.dialectica.concept.service;

import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.model.ConceptCategory;
import io.dialectica.concept.repository.MembershipRepository;
import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.MembershipUpdate;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.dialectica.service.reactive.RunsToCompletion;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.UUID;

/** Adding, moving, re-weighting and removing one category of a concept. */
@ApplicationScoped
@RunsToCompletion
public class MembershipService {

    @Inject
    MembershipRepository memberships;

    @Inject
    CategoryCatalog catalog;

    @Inject
    ConceptAccess access;

    @Inject
    ConceptSnapshots snapshots;

    @WithSession
    public Uni<List<CategoryView>> list(Caller caller, UUID conceptId) {
        return access.visible(caller, conceptId).chain(concept -> memberships.listByConcept(concept.id))
                .map(found -> found.stream().map(ConceptMapper::toView).toList());
    }

    @WithSession
    public Uni<CategoryView> get(Caller caller, UUID conceptId, UUID categoryId) {
        return access.visible(caller, conceptId).chain(concept -> member(conceptId, categoryId))
                .map(ConceptMapper::toView);
    }

    @WithTransaction
    public Uni<Change<CategoryView>> add(Caller caller, UUID conceptId, CategoryInput input, String ifMatch) {
        GraphPlan.PlannedCategory planned = GraphPlan.plan(input);
        return access.lockForChange(caller, conceptId, ifMatch, false)
                .chain(concept -> catalog.ensure(List.of(planned))
                        .map(categories -> categories.get(planned.canonicalName()))
                        .chain(category -> memberships.findMembership(conceptId, category.id)
                                .chain(existing -> {
                                    if (existing != null) {
                                        throw ApiProblem.conflict("name", "'" + category.name
                                                + "' is already a category of this concept");
                                    }
                                    ConceptCategory row = MembershipRows.membership(conceptId, category,
                                            planned.weight(), planned.x(), planned.y());
                                    return memberships.persist(row);
                                }))
                        .chain(row -> snapshots.finishChange(concept, false)
                                .map(change -> change.with(ConceptMapper.toView(row)))));
    }

    @WithTransaction
    public Uni<Change<CategoryView>> update(Caller caller, UUID conceptId, UUID categoryId, MembershipUpdate update,
            String ifMatch) {
        return access.lockForChange(caller, conceptId, ifMatch, false)
                .chain(concept -> member(conceptId, categoryId).chain(member -> {
                    if (update.weight() != null) {
                        member.weight = update.weight();
                    }
                    if (update.x() != null) {
                        member.x = update.x();
                    }
                    if (update.y() != null) {
                        member.y = update.y();
                    }
                    return snapshots.finishChange(concept, false)
                            .map(change -> change.with(ConceptMapper.toView(member)));
                }));
    }

    /** Removes the category from this concept, with the relations that touch it; the shared category stays. */
    @WithTransaction
    public Uni<Change<Void>> remove(Caller caller, UUID conceptId, UUID categoryId, String ifMatch) {
        return access.lockForChange(caller, conceptId, ifMatch, false)
                .chain(concept -> member(conceptId, categoryId)
                        .chain(member -> memberships.deleteMemberships(conceptId, List.of(categoryId)))
                        .chain(() -> snapshots.finishChange(concept, false))
                        .map(change -> change.with((Void) null)));
    }

    private Uni<ConceptCategory> member(UUID conceptId, UUID categoryId) {
        return memberships.findMembership(conceptId, categoryId).map(member -> {
            if (member == null) {
                throw ApiProblem.notFound("category " + categoryId + " in concept " + conceptId);
            }
            return member;
        });
    }
}
