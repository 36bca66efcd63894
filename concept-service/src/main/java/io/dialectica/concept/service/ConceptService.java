package io.dialectica.concept.service;

import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.model.Category;
import io.dialectica.concept.model.Concept;
import io.dialectica.concept.model.ConceptCategory;
import io.dialectica.concept.model.ConceptRelation;
import io.dialectica.concept.repository.ConceptRepository;
import io.dialectica.concept.repository.MembershipRepository;
import io.dialectica.concept.repository.RelationRepository;
import io.dialectica.concept.repository.RelationTypeRepository;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.ConceptSummary;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.PageView;
import io.dialectica.service.security.Caller;
import io.dialectica.service.reactive.RunsToCompletion;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Whole-concept operations. Every write is one transaction; a thrown {@link ApiProblem} rolls it back. */
@ApplicationScoped
@RunsToCompletion
public class ConceptService {

    @Inject
    ConceptRepository concepts;

    @Inject
    MembershipRepository memberships;

    @Inject
    RelationRepository relations;

    @Inject
    RelationTypeRepository relationTypes;

    @Inject
    CategoryCatalog catalog;

    @Inject
    ConceptAccess access;

    @Inject
    ConceptSnapshots snapshots;

    @WithTransaction
    public Uni<Change<ConceptView>> create(Caller caller, ConceptInput input) {
        return relationTypes.codes().chain(types -> {
            GraphPlan plan = GraphPlan.of(input, types);
            Concept concept = new Concept();
            concept.id = UUID.randomUUID();
            concept.owner = caller.subject();
            applyFields(concept, input);
            concept.version = 1;
            concept.createdAt = ConceptSnapshots.now();
            concept.updatedAt = concept.createdAt;
            return concepts.persist(concept)
                    .chain(() -> catalog.ensure(plan.categories()))
                    .chain(categories -> addMemberships(concept.id, plan.categories(), categories)
                            .chain(() -> addRelations(concept.id, plan.relations(), categories)))
                    .chain(() -> snapshots.finishChange(concept, true));
        });
    }

    @WithSession
    public Uni<ConceptView> get(Caller caller, UUID id) {
        return access.visible(caller, id).chain(snapshots::view);
    }

    @WithSession
    public Uni<PageView<ConceptSummary>> list(Caller caller, ConceptQuery query) {
        ConceptQuery.Hql hql = query.toHql(caller);
        return concepts.count(hql.where(), hql.parameters())
                .chain(total -> concepts.find(hql.where(), hql.sort(), hql.parameters())
                        .page(query.page(), query.size()).list()
                        .map(found -> new PageView<>(found.stream().map(ConceptMapper::toSummary).toList(),
                                query.page(), query.size(), total,
                                (int) ((total + query.size() - 1) / query.size()))));
    }

    /**
     * Replaces a concept's fields and graph. Unchanged memberships and relations keep their ids (the
     * change stream then shows exactly what changed); absent ones are deleted, new ones inserted.
     */
    @WithTransaction
    public Uni<Change<ConceptView>> replace(Caller caller, UUID id, ConceptInput input, String ifMatch) {
        return access.lockForChange(caller, id, ifMatch, true)
                .chain(concept -> relationTypes.codes().chain(types -> {
                    GraphPlan plan = GraphPlan.of(input, types);
                    applyFields(concept, input);
                    return catalog.ensure(plan.categories())
                            .chain(categories -> replaceGraph(concept.id, plan, categories))
                            .chain(() -> snapshots.finishChange(concept, false));
                }));
    }

    @WithTransaction
    public Uni<Change<Void>> delete(Caller caller, UUID id, String ifMatch) {
        // memberships and relations go with it (ON DELETE CASCADE); shared categories stay. A statement,
        // not an entity delete: see RelationRepository.deleteInConcept
        return access.lockForChange(caller, id, ifMatch, false)
                .chain(concept -> concepts.delete("id", concept.id)
                        .chain(snapshots::consistencyToken)
                        .map(token -> new Change<Void>(null, concept.version, token)));
    }

    private Uni<Void> replaceGraph(UUID conceptId, GraphPlan plan, Map<String, Category> categories) {
        return memberships.listByConcept(conceptId).chain(existingMembers -> relations.listByConcept(conceptId)
                .chain(existingRelations -> {
                    Map<UUID, GraphPlan.PlannedCategory> wantedByCategory = new HashMap<>();
                    plan.categories().forEach(c -> wantedByCategory.put(categories.get(c.canonicalName()).id, c));
                    Map<GraphPlan.RelationKey, GraphPlan.PlannedRelation> wantedRelations = new HashMap<>();
                    plan.relations().forEach(r -> wantedRelations.put(keyOf(r, categories), r));

                    Set<UUID> keptCategories = new HashSet<>();
                    List<UUID> removedCategories = new ArrayList<>();
                    for (ConceptCategory member : existingMembers) {
                        GraphPlan.PlannedCategory wanted = wantedByCategory.get(member.category.id);
                        if (wanted == null) {
                            removedCategories.add(member.category.id);
                        } else {
                            keptCategories.add(member.category.id);
                            member.weight = wanted.weight();
                            member.x = wanted.x();
                            member.y = wanted.y();
                        }
                    }
                    Set<GraphPlan.RelationKey> keptRelations = new HashSet<>();
                    List<UUID> removedRelations = new ArrayList<>();
                    for (ConceptRelation relation : existingRelations) {
                        GraphPlan.RelationKey key = new GraphPlan.RelationKey(relation.fromCategoryId.toString(),
                                relation.toCategoryId.toString(), relation.type);
                        GraphPlan.PlannedRelation wanted = wantedRelations.get(key);
                        if (wanted == null) {
                            removedRelations.add(relation.id);
                        } else {
                            keptRelations.add(key);
                            relation.weight = wanted.weight();
                            relation.rationale = wanted.rationale();
                        }
                    }
                    List<GraphPlan.PlannedCategory> newCategories = plan.categories().stream()
                            .filter(c -> !keptCategories.contains(categories.get(c.canonicalName()).id)).toList();
                    List<GraphPlan.PlannedRelation> newRelations = plan.relations().stream()
                            .filter(r -> !keptRelations.contains(keyOf(r, categories))).toList();
                    // deletes first, as statements: inserts must never meet a row that is about to go
                    return relations.deleteByIds(removedRelations)
                            .chain(() -> memberships.deleteMemberships(conceptId, removedCategories))
                            .chain(() -> addMemberships(conceptId, newCategories, categories))
                            .chain(() -> addRelations(conceptId, newRelations, categories));
                }));
    }

    private static GraphPlan.RelationKey keyOf(GraphPlan.PlannedRelation relation, Map<String, Category> categories) {
        return new GraphPlan.RelationKey(categories.get(relation.from()).id.toString(),
                categories.get(relation.to()).id.toString(), relation.type());
    }

    private Uni<Void> addMemberships(UUID conceptId, List<GraphPlan.PlannedCategory> planned,
            Map<String, Category> categories) {
        List<ConceptCategory> rows = planned.stream()
                .map(c -> MembershipRows.membership(conceptId, categories.get(c.canonicalName()), c.weight(), c.x(), c.y()))
                .toList();
        return rows.isEmpty() ? Uni.createFrom().voidItem() : memberships.persist(rows);
    }

    private Uni<Void> addRelations(UUID conceptId, List<GraphPlan.PlannedRelation> planned,
            Map<String, Category> categories) {
        List<ConceptRelation> rows = planned.stream()
                .map(r -> MembershipRows.relation(conceptId, categories.get(r.from()).id, categories.get(r.to()).id,
                        r.type(), r.weight(), r.rationale()))
                .toList();
        return rows.isEmpty() ? Uni.createFrom().voidItem() : relations.persist(rows);
    }

    private static void applyFields(Concept concept, ConceptInput input) {
        concept.name = CanonicalNames.display(input.name());
        concept.description = GraphPlan.blankToNull(input.description());
        concept.tradition = GraphPlan.blankToNull(input.tradition());
        concept.visibility = input.visibilityOrDefault();
    }
}
