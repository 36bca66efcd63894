package io.dialectica.concept.service;

import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.concept.repository.StoredConcept.Member;
import io.dialectica.concept.repository.StoredConcept.Relation;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.reactive.RunsToCompletion;
import io.dialectica.service.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Adding and removing one relation of a concept: each two round trips (see ConceptSnapshots). */
@ApplicationScoped
@RunsToCompletion
public class RelationService {

    @Inject
    ConceptStore store;

    @Inject
    RelationTypes relationTypes;

    @Inject
    ConceptSnapshots snapshots;

    public Uni<List<RelationView>> list(Caller caller, UUID conceptId) {
        return snapshots.visible(caller, conceptId).map(concept -> ConceptMapper.toView(concept).relations());
    }

    public Uni<RelationView> get(Caller caller, UUID conceptId, UUID relationId) {
        return snapshots.visible(caller, conceptId).map(concept -> {
            Relation relation = relation(concept, relationId);
            return ConceptMapper.toView(relation, ConceptMapper.categoryNames(concept.members()));
        });
    }

    public Uni<Change<RelationView>> add(Caller caller, UUID conceptId, RelationInput input, String ifMatch) {
        return relationTypes.codes().chain(types -> snapshots.change(caller, conceptId, ifMatch, false, (tx, current) -> {
            Map<String, UUID> byCanonical = new HashMap<>();
            current.members().forEach(m -> byCanonical.put(m.canonicalName(), m.categoryId()));
            List<ApiProblem.FieldError> errors = new ArrayList<>();
            GraphPlan.PlannedRelation planned = GraphPlan.checkRelation(input, byCanonical.keySet(), types, "", errors);
            if (planned == null) {
                throw ApiProblem.invalid(errors);
            }
            UUID from = byCanonical.get(planned.from());
            UUID to = byCanonical.get(planned.to());
            for (Relation existing : current.relations()) {
                if (existing.fromCategoryId().equals(from) && existing.toCategoryId().equals(to)
                        && existing.type().equals(planned.type())) {
                    throw ApiProblem.conflict(null, "this concept already has the relation "
                            + input.from() + " " + planned.type() + " " + input.to());
                }
            }
            StoredConcept.NewRelation row = planned.newRelation();
            Relation relation = new Relation(row.id(), from, to, row.type(), row.weight(), row.rationale());
            List<Relation> relations = new ArrayList<>(current.relations());
            relations.add(relation);
            StoredConcept.Row next = ConceptSnapshots.nextVersion(current.row(),
                    ConceptSnapshots.qualityScore(current.row().description(), current.members(), relations));
            store.insertRelations(tx, conceptId, List.of(row));
            return snapshots.finish(tx, caller, next).map(token -> new Change<>(
                    ConceptMapper.toView(relation, ConceptMapper.categoryNames(current.members())), next.version(), token));
        }));
    }

    public Uni<Change<Void>> remove(Caller caller, UUID conceptId, UUID relationId, String ifMatch) {
        return snapshots.change(caller, conceptId, ifMatch, false, (tx, current) -> {
            relation(current, relationId);
            store.deleteRelations(tx, conceptId, List.of(relationId));
            List<Relation> relations = current.relations().stream().filter(r -> !r.id().equals(relationId)).toList();
            List<Member> members = current.members();
            StoredConcept.Row next = ConceptSnapshots.nextVersion(current.row(),
                    ConceptSnapshots.qualityScore(current.row().description(), members, relations));
            return snapshots.finish(tx, caller, next).map(token -> new Change<Void>(null, next.version(), token));
        });
    }

    private static Relation relation(StoredConcept concept, UUID relationId) {
        return concept.relations().stream().filter(r -> r.id().equals(relationId)).findFirst()
                .orElseThrow(() -> ApiProblem.notFound("relation " + relationId + " in concept " + concept.row().id()));
    }
}
