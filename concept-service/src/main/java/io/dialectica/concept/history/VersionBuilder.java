package io.dialectica.concept.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.concept.rest.dto.VersionChanges;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.rows.CategoryRow;
import io.dialectica.contracts.rows.ConceptRow;
import io.dialectica.contracts.rows.MembershipRow;
import io.dialectica.contracts.rows.RelationRow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The next version of a concept: its previous version's state with one change group applied, and what changed.
 * Pure: the category rows a group does not carry come from {@code lookup} (categories are shared, their names never
 * change; see {@link #referencedCategories}).
 *
 * <p>Every envelope carries the whole row, so a group applied to the previous state in WAL order gives the state
 * after its transaction: the concept row from its last {@code concepts} change, memberships and relations upserted
 * or removed by id, category names from the group's copies of the {@code categories} rows, else from the previous
 * state, else from {@code lookup}. Who made the change is the {@code changed_by} of the concept row in the change
 * itself: concept-service writes it in the same statement as the version, so nothing is guessed. A group without a
 * {@code concepts} row (a write that bypassed concept-service) keeps the version and has no author.
 */
public final class VersionBuilder {

    private VersionBuilder() {
    }

    /**
     * The version this group makes of the concept.
     *
     * @param previous the state after the last recorded version, or null when there is none (or it was a deletion)
     * @return null when the group cannot be applied: there is no previous state and it neither creates nor deletes
     *         the concept (its creation is older than what the history saw)
     */
    public static RecordedVersion next(ConceptView previous, ChangeGroup group, Function<UUID, CategoryRow> lookup,
            ObjectMapper mapper) {
        UUID conceptId = UUID.fromString(group.key());
        ConceptRow row = null;
        boolean created = false;
        boolean deleted = false;
        Map<UUID, CategoryRow> copies = new HashMap<>();
        Map<UUID, MembershipRow> places = new LinkedHashMap<>();
        Map<UUID, CategoryView> known = new HashMap<>();
        Map<UUID, RelationRow> relations = new LinkedHashMap<>();
        if (previous != null) {
            for (CategoryView c : previous.categories()) {
                places.put(c.id(), new MembershipRow(null, conceptId, c.id(), c.weight(), c.x(), c.y()));
                known.put(c.id(), c);
            }
            for (RelationView r : previous.relations()) {
                relations.put(r.id(), new RelationRow(r.id(), conceptId, r.fromCategoryId(), r.toCategoryId(), r.type(),
                        r.weight(), r.rationale()));
            }
        }
        for (ChangeEnvelope e : group.changes()) {
            boolean delete = e.op() == Operation.DELETE;
            switch (Objects.requireNonNull(e.table(), "table")) {
                case Tables.CATEGORIES -> {
                    if (!delete) {
                        CategoryRow category = mapper.convertValue(e.after(), CategoryRow.class);
                        copies.put(category.id(), category);
                    }
                }
                case Tables.CONCEPTS -> {
                    row = mapper.convertValue(delete ? e.before() : e.after(), ConceptRow.class);
                    deleted = delete;
                    created |= e.op() == Operation.CREATE;
                }
                case Tables.CONCEPT_CATEGORIES -> {
                    MembershipRow member = mapper.convertValue(e.row(), MembershipRow.class);
                    if (delete) {
                        places.remove(member.categoryId());
                    } else {
                        places.put(member.categoryId(), member);
                    }
                }
                case Tables.CONCEPT_RELATIONS -> {
                    RelationRow relation = mapper.convertValue(e.row(), RelationRow.class);
                    if (delete) {
                        relations.remove(relation.id());
                    } else {
                        relations.put(relation.id(), relation);
                    }
                }
                default -> {
                    // a table the history does not know: nothing of the concept's
                }
            }
        }

        if (deleted) {
            // the deleted row: concept-service gave it the next version and the deleter just before the delete
            return new RecordedVersion(conceptId, group.commitLsn(), row.version(), group.txId(), group.commitTime(),
                    row.changedBy(), row.owner(), row.visibility(), RecordedVersion.Kind.DELETED, VersionChanges.none(),
                    null);
        }
        if (previous == null && !created) {
            return null;
        }

        List<CategoryView> categories = new ArrayList<>();
        Map<UUID, String> names = new HashMap<>();
        for (MembershipRow place : places.values()) {
            UUID id = place.categoryId();
            CategoryRow copy = copies.get(id);
            CategoryView before = known.get(id);
            String name;
            String canonical;
            String description;
            if (copy != null) {
                name = copy.name();
                canonical = copy.canonicalName();
                description = copy.description();
            } else if (before != null) {
                name = before.name();
                canonical = before.canonicalName();
                description = before.description();
            } else {
                CategoryRow found = lookup.apply(id);
                name = found == null ? id.toString() : found.name();
                canonical = found == null ? null : found.canonicalName();
                description = found == null ? null : found.description();
            }
            names.put(id, name);
            categories.add(new CategoryView(id, name, canonical, description, place.weight(), place.x(), place.y()));
        }
        categories.sort(ConceptMapper.CATEGORY_VIEW_ORDER);
        List<RelationView> relationViews = new ArrayList<>();
        for (RelationRow r : relations.values()) {
            // the database removes a relation with either end (the cascades are in the group too): this only guards
            if (names.containsKey(r.fromCategoryId()) && names.containsKey(r.toCategoryId())) {
                relationViews.add(new RelationView(r.id(), names.get(r.fromCategoryId()), names.get(r.toCategoryId()),
                        r.fromCategoryId(), r.toCategoryId(), r.type(), r.weight(), r.rationale()));
            }
        }
        relationViews.sort(ConceptMapper.RELATION_VIEW_ORDER);

        ConceptView state = row != null
                ? new ConceptView(conceptId, row.owner(), row.name(), row.description(), row.tradition(),
                        Visibility.valueOf(row.visibility()), row.qualityScore(), row.version(), row.createdAt(),
                        row.updatedAt(), List.copyOf(categories), List.copyOf(relationViews))
                : new ConceptView(conceptId, previous.owner(), previous.name(), previous.description(),
                        previous.tradition(), previous.visibility(), previous.qualityScore(), previous.version(),
                        previous.createdAt(), previous.updatedAt(), List.copyOf(categories), List.copyOf(relationViews));
        RecordedVersion.Kind kind = previous == null ? RecordedVersion.Kind.CREATED : RecordedVersion.Kind.CHANGED;
        return new RecordedVersion(conceptId, group.commitLsn(), state.version(), group.txId(), group.commitTime(),
                row == null ? null : row.changedBy(), state.owner(), state.visibility().name(), kind,
                VersionDiff.between(previous, state), state);
    }

    /**
     * The categories the group's memberships point to whose rows the group does not carry: the caller looks them up
     * (all groups of a poll at once) for the memberships the previous state does not name either.
     */
    public static Set<UUID> referencedCategories(ChangeGroup group, ObjectMapper mapper) {
        Set<UUID> referenced = new HashSet<>();
        Set<UUID> copied = new HashSet<>();
        for (ChangeEnvelope e : group.changes()) {
            if (Tables.CONCEPT_CATEGORIES.equals(e.table()) && e.op() != Operation.DELETE) {
                referenced.add(mapper.convertValue(e.after(), MembershipRow.class).categoryId());
            } else if (Tables.CATEGORIES.equals(e.table()) && e.after() != null) {
                copied.add(mapper.convertValue(e.after(), CategoryRow.class).id());
            }
        }
        referenced.removeAll(copied);
        return referenced;
    }
}
