package io.dialectica.concept.service;

import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.concept.repository.StoredConcept.Member;
import io.dialectica.concept.repository.StoredConcept.Relation;
import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.MembershipUpdate;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.reactive.RunsToCompletion;
import io.dialectica.service.security.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Adding, moving, re-weighting and removing one category of a concept: each two round trips (see ConceptSnapshots). */
@ApplicationScoped
@RunsToCompletion
public class MembershipService {

    @Inject
    ConceptStore store;

    @Inject
    CategoryCatalog catalog;

    @Inject
    ConceptSnapshots snapshots;

    public Uni<List<CategoryView>> list(Caller caller, UUID conceptId) {
        return snapshots.visible(caller, conceptId).map(ConceptMapper::categories);
    }

    public Uni<CategoryView> get(Caller caller, UUID conceptId, UUID categoryId) {
        return snapshots.visible(caller, conceptId).map(concept -> ConceptMapper.toView(member(concept, categoryId)));
    }

    public Uni<Change<CategoryView>> add(Caller caller, UUID conceptId, CategoryInput input, String ifMatch) {
        GraphPlan.PlannedCategory planned = GraphPlan.plan(input);
        return snapshots.change(caller, conceptId, ifMatch, false, (tx, current) -> {
            for (Member member : current.members()) {
                if (member.canonicalName().equals(planned.canonicalName())) {
                    throw ApiProblem.conflict("name", "'" + member.name() + "' is already a category of this concept");
                }
            }
            List<Member> members = new ArrayList<>(current.members());
            // the new member counts for the score; its category id is not known yet and touches no relation
            members.add(new Member(UUID.randomUUID(), UUID.randomUUID(), planned.name(), planned.canonicalName(),
                    planned.description(), planned.weight(), planned.x(), planned.y()));
            StoredConcept.Row next = ConceptSnapshots.nextVersion(current.row(),
                    ConceptSnapshots.qualityScore(current.row().description(), members, current.relations()));
            catalog.ensure(tx, List.of(planned), List.of(planned));
            Future<List<Member>> inserted = store.insertMembers(tx, conceptId, List.of(planned.newMember()));
            return snapshots.finish(tx, caller, next).map(token ->
                    new Change<>(ConceptMapper.toView(inserted.result().get(0)), next.version(), token));
        });
    }

    public Uni<Change<CategoryView>> update(Caller caller, UUID conceptId, UUID categoryId, MembershipUpdate update,
            String ifMatch) {
        return snapshots.change(caller, conceptId, ifMatch, false, (tx, current) -> {
            Member member = member(current, categoryId);
            Member moved = member.withPlace(update.weight() != null ? update.weight() : member.weight(),
                    update.x() != null ? update.x() : member.x(), update.y() != null ? update.y() : member.y());
            if (!ConceptService.samePlace(member, moved)) {
                store.updateMembers(tx, conceptId, List.of(moved));
            }
            // weights and places do not enter the score: it stays, but is written with the next version as always
            StoredConcept.Row next = ConceptSnapshots.nextVersion(current.row(),
                    ConceptSnapshots.qualityScore(current.row().description(), current.members(), current.relations()));
            return snapshots.finish(tx, caller, next).map(token -> new Change<>(ConceptMapper.toView(moved), next.version(), token));
        });
    }

    /** Removes the category from this concept, with the relations that touch it; the shared category stays. */
    public Uni<Change<Void>> remove(Caller caller, UUID conceptId, UUID categoryId, String ifMatch) {
        return snapshots.change(caller, conceptId, ifMatch, false, (tx, current) -> {
            member(current, categoryId);
            store.deleteMembers(tx, conceptId, List.of(categoryId));
            List<Member> members = current.members().stream().filter(m -> !m.categoryId().equals(categoryId)).toList();
            List<Relation> relations = current.relations().stream()
                    .filter(r -> !r.fromCategoryId().equals(categoryId) && !r.toCategoryId().equals(categoryId)).toList();
            StoredConcept.Row next = ConceptSnapshots.nextVersion(current.row(),
                    ConceptSnapshots.qualityScore(current.row().description(), members, relations));
            return snapshots.finish(tx, caller, next).map(token -> new Change<Void>(null, next.version(), token));
        });
    }

    private static Member member(StoredConcept concept, UUID categoryId) {
        Member member = concept.member(categoryId);
        if (member == null) {
            throw ApiProblem.notFound("category " + categoryId + " in concept " + concept.row().id());
        }
        return member;
    }
}
