package io.dialectica.concept.service;

import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.model.ConceptCategory;
import io.dialectica.concept.model.ConceptRelation;
import io.dialectica.concept.repository.MembershipRepository;
import io.dialectica.concept.repository.RelationRepository;
import io.dialectica.concept.repository.RelationTypeRepository;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.dialectica.service.reactive.RunsToCompletion;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Adding and removing one relation of a concept. */
@ApplicationScoped
@RunsToCompletion
public class RelationService {

    @Inject
    RelationRepository relations;

    @Inject
    MembershipRepository memberships;

    @Inject
    RelationTypeRepository relationTypes;

    @Inject
    ConceptAccess access;

    @Inject
    ConceptSnapshots snapshots;

    @WithSession
    public Uni<List<RelationView>> list(Caller caller, UUID conceptId) {
        return access.visible(caller, conceptId).chain(snapshots::view).map(view -> view.relations());
    }

    @WithSession
    public Uni<RelationView> get(Caller caller, UUID conceptId, UUID relationId) {
        return access.visible(caller, conceptId).chain(snapshots::view)
                .map(view -> view.relations().stream().filter(r -> r.id().equals(relationId)).findFirst()
                        .orElseThrow(() -> ApiProblem.notFound("relation " + relationId + " in concept " + conceptId)));
    }

    @WithTransaction
    public Uni<Change<RelationView>> add(Caller caller, UUID conceptId, RelationInput input, String ifMatch) {
        return access.lockForChange(caller, conceptId, ifMatch, false)
                .chain(concept -> relationTypes.codes().chain(types -> memberships.listByConcept(conceptId)
                        .chain(members -> {
                            ConceptRelation row = validated(conceptId, input, types, members);
                            return relations.find("conceptId = ?1 and fromCategoryId = ?2 and toCategoryId = ?3 and type = ?4",
                                    conceptId, row.fromCategoryId, row.toCategoryId, row.type).firstResult()
                                    .chain(existing -> {
                                        if (existing != null) {
                                            throw ApiProblem.conflict(null, "this concept already has the relation "
                                                    + input.from() + " " + row.type + " " + input.to());
                                        }
                                        return relations.persist(row);
                                    })
                                    .chain(saved -> snapshots.finishChange(concept, false)
                                            .map(change -> change.with(ConceptMapper.toView(saved,
                                                    ConceptMapper.categoryNames(members)))));
                        })));
    }

    @WithTransaction
    public Uni<Change<Void>> remove(Caller caller, UUID conceptId, UUID relationId, String ifMatch) {
        return access.lockForChange(caller, conceptId, ifMatch, false)
                .chain(concept -> relations.deleteInConcept(conceptId, relationId).invoke(deleted -> {
                    if (deleted == 0) {
                        throw ApiProblem.notFound("relation " + relationId + " in concept " + conceptId);
                    }
                }).chain(() -> snapshots.finishChange(concept, false)).map(change -> change.with((Void) null)));
    }

    private static ConceptRelation validated(UUID conceptId, RelationInput input, Set<String> types,
            List<ConceptCategory> members) {
        Map<String, UUID> byCanonical = new HashMap<>();
        members.forEach(m -> byCanonical.put(m.category.canonicalName, m.category.id));
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        GraphPlan.PlannedRelation planned = GraphPlan.checkRelation(input, byCanonical.keySet(), types, "", errors);
        if (planned == null) {
            throw ApiProblem.invalid(errors);
        }
        return MembershipRows.relation(conceptId, byCanonical.get(planned.from()), byCanonical.get(planned.to()),
                planned.type(), planned.weight(), planned.rationale());
    }
}
