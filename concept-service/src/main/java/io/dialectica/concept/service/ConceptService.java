package io.dialectica.concept.service;

import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.repository.ConceptRepository;
import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.concept.repository.StoredConcept.Category;
import io.dialectica.concept.repository.StoredConcept.Member;
import io.dialectica.concept.repository.StoredConcept.NewMember;
import io.dialectica.concept.repository.StoredConcept.NewRelation;
import io.dialectica.concept.repository.StoredConcept.Relation;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.ConceptSummary;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.PageView;
import io.dialectica.service.reactive.RunsToCompletion;
import io.dialectica.service.security.Caller;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Whole-concept operations. Every write is one transaction whose statements are pipelined: a create is one
 * round trip to PostgreSQL, a replace or delete two (lock and read, then write and commit); a read is one query.
 * A thrown {@link io.dialectica.service.problem.ApiProblem} rolls the transaction back.
 */
@ApplicationScoped
@RunsToCompletion
public class ConceptService {

    @Inject
    ConceptRepository concepts;

    @Inject
    ConceptStore store;

    @Inject
    RelationTypes relationTypes;

    @Inject
    CategoryCatalog catalog;

    @Inject
    ConceptSnapshots snapshots;

    /**
     * BEGIN, new categories, the concept row (with its quality score, computed from the request), the memberships,
     * the relations (their answer carries the consistency token) and COMMIT: one round trip.
     */
    public Uni<Change<ConceptView>> create(Caller caller, ConceptInput input) {
        return relationTypes.codes().chain(types -> {
            GraphPlan plan = GraphPlan.of(input, types);
            Instant now = ConceptSnapshots.now();
            String description = GraphPlan.blankToNull(input.description());
            StoredConcept.Row row = new StoredConcept.Row(UUID.randomUUID(), caller.subject(),
                    CanonicalNames.display(input.name()), description, GraphPlan.blankToNull(input.tradition()),
                    input.visibilityOrDefault(), plan.qualityScore(description), 1, now, now);
            List<NewMember> newMembers = plan.categories().stream().map(GraphPlan.PlannedCategory::newMember).toList();
            List<NewRelation> newRelations = plan.relations().stream().map(GraphPlan.PlannedRelation::newRelation).toList();
            return Uni.createFrom().completionStage(() -> store.inTransaction(tx -> {
                catalog.ensure(tx, plan.categories(), plan.categories());
                store.insertConcept(tx, row, caller.subject());
                Future<List<Member>> members = store.insertMembers(tx, row.id(), newMembers);
                Future<String> token = store.insertRelations(tx, row.id(), newRelations);
                return tx.commit().map(ignored -> {
                    StoredConcept created = new StoredConcept(row, members.result(),
                            relations(newRelations, idsByCanonicalName(members.result())));
                    return new Change<>(ConceptMapper.toView(created), row.version(), token.result());
                });
            }).toCompletionStage());
        });
    }

    /** One query: the concept, its memberships with their categories, its relations. */
    public Uni<ConceptView> get(Caller caller, UUID id) {
        return snapshots.visible(caller, id).map(ConceptMapper::toView);
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
     * Replaces a concept's fields and graph. Unchanged memberships and relations keep their ids, and only rows
     * that change are written (the change stream then shows exactly what changed); absent ones are deleted, new
     * ones inserted. Worked out in memory from the graph read under the lock; written in one pipelined batch.
     */
    public Uni<Change<ConceptView>> replace(Caller caller, UUID id, ConceptInput input, String ifMatch) {
        return relationTypes.codes().chain(types -> snapshots.change(caller, id, ifMatch, true, (tx, current) -> {
            GraphPlan plan = GraphPlan.of(input, types);
            UUID conceptId = current.row().id();

            Map<String, Member> currentByCanonical = new HashMap<>();
            Map<UUID, String> canonicalById = new HashMap<>();
            current.members().forEach(m -> {
                currentByCanonical.put(m.canonicalName(), m);
                canonicalById.put(m.categoryId(), m.canonicalName());
            });
            List<Member> kept = new ArrayList<>();
            List<Member> moved = new ArrayList<>();
            List<GraphPlan.PlannedCategory> added = new ArrayList<>();
            for (GraphPlan.PlannedCategory wanted : plan.categories()) {
                Member member = currentByCanonical.remove(wanted.canonicalName());
                if (member == null) {
                    added.add(wanted);
                    continue;
                }
                Member placed = member.withPlace(wanted.weight(), wanted.x(), wanted.y());
                kept.add(placed);
                if (!samePlace(member, placed)) {
                    moved.add(placed);
                }
            }
            List<UUID> removedCategories = currentByCanonical.values().stream().map(Member::categoryId).toList();

            Map<GraphPlan.RelationKey, GraphPlan.PlannedRelation> wantedRelations = new HashMap<>();
            plan.relations().forEach(r -> wantedRelations.put(r.key(), r));
            List<Relation> keptRelations = new ArrayList<>();
            List<Relation> changedRelations = new ArrayList<>();
            List<UUID> removedRelations = new ArrayList<>();
            for (Relation relation : current.relations()) {
                GraphPlan.PlannedRelation wanted = wantedRelations.remove(new GraphPlan.RelationKey(
                        canonicalById.get(relation.fromCategoryId()), canonicalById.get(relation.toCategoryId()),
                        relation.type()));
                if (wanted == null) {
                    removedRelations.add(relation.id());
                    continue;
                }
                Relation updated = new Relation(relation.id(), relation.fromCategoryId(), relation.toCategoryId(),
                        relation.type(), wanted.weight(), wanted.rationale());
                keptRelations.add(updated);
                if (Double.compare(relation.weight(), updated.weight()) != 0
                        || !Objects.equals(relation.rationale(), updated.rationale())) {
                    changedRelations.add(updated);
                }
            }
            // in the order of the request, like the memberships
            List<NewRelation> addedRelations = plan.relations().stream().filter(r -> wantedRelations.containsKey(r.key()))
                    .map(GraphPlan.PlannedRelation::newRelation).toList();

            String description = GraphPlan.blankToNull(input.description());
            StoredConcept.Row next = ConceptSnapshots.nextVersion(current.row(), CanonicalNames.display(input.name()),
                    description, GraphPlan.blankToNull(input.tradition()), input.visibilityOrDefault(),
                    plan.qualityScore(description));

            // categories first, then deletes (inserts must never meet a row that is about to go), updates, inserts
            boolean filled = catalog.ensure(tx, added, plan.categories());
            Future<Map<String, Category>> keptCategories = filled && !kept.isEmpty()
                    ? store.categories(tx, kept.stream().map(Member::canonicalName).toList())
                    : Future.succeededFuture(Map.of());
            if (!removedRelations.isEmpty()) {
                store.deleteRelations(tx, conceptId, removedRelations);
            }
            if (!removedCategories.isEmpty()) {
                store.deleteMembers(tx, conceptId, removedCategories);
            }
            if (!moved.isEmpty()) {
                store.updateMembers(tx, conceptId, moved);
            }
            Future<List<Member>> inserted = added.isEmpty() ? Future.succeededFuture(List.of())
                    : store.insertMembers(tx, conceptId, added.stream().map(GraphPlan.PlannedCategory::newMember).toList());
            if (!changedRelations.isEmpty()) {
                store.updateRelations(tx, conceptId, changedRelations);
            }
            if (!addedRelations.isEmpty()) {
                store.insertRelations(tx, conceptId, addedRelations);
            }
            return snapshots.finish(tx, caller, next).map(token -> {
                List<Member> members = new ArrayList<>();
                for (Member member : kept) {
                    Category stored = keptCategories.result().get(member.canonicalName());
                    members.add(stored == null ? member : member.withDescription(stored.description()));
                }
                members.addAll(inserted.result());
                List<Relation> relations = new ArrayList<>(keptRelations);
                relations.addAll(relations(addedRelations, idsByCanonicalName(members)));
                return new Change<>(ConceptMapper.toView(current.with(next, members, relations)), next.version(), token);
            });
        }));
    }

    /**
     * Memberships and relations go with the concept (ON DELETE CASCADE); shared categories stay. The row gets its
     * next version and the deleter first, in the same transaction, so that the change stream names who deleted it.
     */
    public Uni<Change<Void>> delete(Caller caller, UUID id, String ifMatch) {
        return snapshots.change(caller, id, ifMatch, false, (tx, current) -> {
            Future<String> token = store.deleteConcept(tx, id, ConceptSnapshots.now(), caller.subject());
            return tx.commit().map(ignored -> new Change<Void>(null, current.row().version(), token.result()));
        });
    }

    static boolean samePlace(Member a, Member b) {
        return Double.compare(a.weight(), b.weight()) == 0 && Double.compare(a.x(), b.x()) == 0
                && Double.compare(a.y(), b.y()) == 0;
    }

    static Map<String, UUID> idsByCanonicalName(List<Member> members) {
        Map<String, UUID> ids = new HashMap<>();
        members.forEach(m -> ids.put(m.canonicalName(), m.categoryId()));
        return ids;
    }

    /** The stored form of inserted relations, their ends resolved by canonical name. */
    static List<Relation> relations(List<NewRelation> inserted, Map<String, UUID> idsByCanonicalName) {
        return inserted.stream().map(r -> new Relation(r.id(), idsByCanonicalName.get(r.fromCanonicalName()),
                idsByCanonicalName.get(r.toCanonicalName()), r.type(), r.weight(), r.rationale())).toList();
    }
}
