package io.dialectica.graph.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.rows.CategoryRow;
import io.dialectica.contracts.rows.ConceptRow;
import io.dialectica.contracts.rows.MembershipRow;
import io.dialectica.contracts.rows.RelationRow;
import io.dialectica.graph.model.RelationType;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The net effect of the change groups one Neo4j transaction applies (all of them already accepted by
 * the per-key LSN check, in partition order). Every envelope carries the whole row, so the state of an
 * entity after several changes is its last change: a row's last upsert, or its deletion. Applying the
 * net changes in dependency order (categories, concepts, deletions, memberships, relations, concept
 * deletions: see {@link GraphWriter}) leaves the graph exactly as applying the groups one by one would,
 * with a handful of UNWIND statements per transaction instead of one statement per envelope.
 */
final class Changeset {

    private static final Logger LOG = Logger.getLogger(Changeset.class);

    /** A category's attributes at {@code lsn}; {@code row == null}: deleted (category topic only). */
    record CategoryChange(String id, long lsn, CategoryRow row) {
    }

    /** A concept key's net effect: its last applied commit LSN, its row if one changed, deletion. */
    static final class ConceptChange {
        final String id;
        long lsn;
        ConceptRow row;
        boolean deleted;
        Instant deletedAt;
        /** owner or visibility changed (or unknown, for snapshot rows): the relations' copies follow. */
        boolean refreshRelations;

        ConceptChange(String id) {
            this.id = id;
        }
    }

    /** A membership's last change; {@code deleted}: the row is the deleted one (before image). */
    record MembershipChange(MembershipRow row, boolean deleted) {
    }

    /**
     * A relation's last change, and which relationship type may hold it in Neo4j before this
     * transaction (from the before image of its first change here; all types for snapshot rows).
     */
    static final class RelationChange {
        final String id;
        RelationRow row;
        boolean deleted;
        final Set<RelationType> storedTypes = EnumSet.noneOf(RelationType.class);

        RelationChange(String id) {
            this.id = id;
        }
    }

    final Map<String, CategoryChange> categories = new LinkedHashMap<>();
    final Map<String, ConceptChange> concepts = new LinkedHashMap<>();
    final Map<String, MembershipChange> memberships = new LinkedHashMap<>();
    final Map<String, RelationChange> relations = new LinkedHashMap<>();
    /** Envelopes whose row could not be read (skipped; a producer bug, never a reason to block the stream). */
    int unreadable;

    private Changeset() {
    }

    /**
     * @param conceptTopic the topic whose keys are concept ids (the others' keys are category ids)
     */
    static Changeset of(List<ChangeGroup> accepted, String conceptTopic, ObjectMapper mapper) {
        Changeset set = new Changeset();
        for (ChangeGroup group : accepted) {
            boolean conceptKeyed = conceptTopic.equals(group.topic());
            ConceptChange concept = null;
            if (conceptKeyed) {
                concept = set.concepts.computeIfAbsent(group.key(), ConceptChange::new);
                concept.lsn = Math.max(concept.lsn, group.commitLsn());
            }
            for (ChangeEnvelope e : group.changes()) {
                try {
                    set.add(e, group, concept, conceptKeyed, mapper);
                } catch (IllegalArgumentException | NullPointerException ex) {
                    set.unreadable++;
                    LOG.warnf("skipping an unreadable %s change (key %s, commit LSN %d, index %d): %s", e.table(),
                            group.key(), group.commitLsn(), e.txIndex(), ex.getMessage());
                }
            }
        }
        return set;
    }

    private void add(ChangeEnvelope e, ChangeGroup group, ConceptChange concept, boolean conceptKeyed,
            ObjectMapper mapper) {
        boolean delete = e.op() == Operation.DELETE;
        String table = Objects.requireNonNull(e.table(), "table");
        switch (table) {
            case Tables.CATEGORIES -> {
                CategoryRow row = mapper.convertValue(e.row(), CategoryRow.class);
                String id = Objects.requireNonNull(row.id(), "categories.id").toString();
                if (delete && conceptKeyed) {
                    return; // only the category topic, the authority, deletes a shared category
                }
                CategoryChange current = categories.get(id);
                if (current == null || current.lsn() <= group.commitLsn()) {
                    categories.put(id, new CategoryChange(id, group.commitLsn(), delete ? null : row));
                }
            }
            case Tables.CONCEPTS -> {
                if (concept == null) {
                    return;
                }
                if (delete) {
                    concept.deleted = true;
                    concept.deletedAt = group.commitTime();
                    concept.row = null;
                    return;
                }
                ConceptRow row = mapper.convertValue(e.after(), ConceptRow.class);
                concept.deleted = false;
                concept.row = row;
                if (e.op() == Operation.READ) {
                    concept.refreshRelations = true;
                } else if (e.op() == Operation.UPDATE && e.before() != null) {
                    ConceptRow before = mapper.convertValue(e.before(), ConceptRow.class);
                    if (!Objects.equals(before.owner(), row.owner())
                            || !Objects.equals(before.visibility(), row.visibility())) {
                        concept.refreshRelations = true;
                    }
                }
            }
            case Tables.CONCEPT_CATEGORIES -> {
                MembershipRow row = mapper.convertValue(e.row(), MembershipRow.class);
                Objects.requireNonNull(row.conceptId(), "concept_categories.concept_id");
                Objects.requireNonNull(row.categoryId(), "concept_categories.category_id");
                String id = Objects.requireNonNull(row.id(), "concept_categories.id").toString();
                memberships.put(id, new MembershipChange(row, delete));
            }
            case Tables.CONCEPT_RELATIONS -> {
                RelationRow row = mapper.convertValue(e.row(), RelationRow.class);
                Objects.requireNonNull(row.conceptId(), "concept_relations.concept_id");
                Objects.requireNonNull(row.fromCategoryId(), "concept_relations.from_category_id");
                Objects.requireNonNull(row.toCategoryId(), "concept_relations.to_category_id");
                String id = Objects.requireNonNull(row.id(), "concept_relations.id").toString();
                RelationChange change = relations.get(id);
                if (change == null) {
                    change = new RelationChange(id);
                    relations.put(id, change);
                    // what Neo4j may hold for this id before this transaction
                    switch (e.op()) {
                        case CREATE -> {
                        }
                        case UPDATE, DELETE -> {
                            Map<String, Object> before = e.before();
                            Object type = before == null ? null : before.get("type");
                            if (type == null) {
                                change.storedTypes.addAll(RelationType.all());
                            } else {
                                RelationType.of(type.toString()).ifPresent(change.storedTypes::add);
                            }
                        }
                        default -> change.storedTypes.addAll(RelationType.all());
                    }
                }
                change.row = row;
                change.deleted = delete;
            }
            default -> LOG.debugf("ignoring a change of table %s", table);
        }
    }

    boolean isEmpty() {
        return categories.isEmpty() && concepts.isEmpty() && memberships.isEmpty() && relations.isEmpty();
    }

    /** Parameter rows for Cypher (maps of strings and numbers only). */
    static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    static <T> List<T> listOf(Iterable<T> items) {
        List<T> list = new ArrayList<>();
        items.forEach(list::add);
        return list;
    }
}
