package io.dialectica.search.projection;

import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.search.index.CategoryDoc;
import io.dialectica.search.index.ConceptDoc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Applies change groups to documents: pure functions, no I/O (unit-tested on their own).
 *
 * <p>Row images are read as maps with PostgreSQL's column names (docs/events.md).
 */
public final class DocumentChanges {

    private DocumentChanges() {
    }

    /**
     * Applies a group of {@code dialectica.concept-changes} to the current document.
     *
     * @param current the document as stored (null when there is none)
     * @param known   category attributes known outside the group (the categories side index, or the category
     *                changes of the same batch); may answer null
     * @return the new document, or null when the group is a repeat ({@code commitLsn} not above the applied one)
     */
    public static ConceptDoc applyConceptGroup(ConceptDoc current, ChangeGroup group, Function<String, CategoryDoc> known) {
        if (current != null && group.commitLsn() <= current.appliedLsn) {
            return null;
        }
        ConceptDoc doc = current == null ? newDoc(group.key()) : current;
        if (doc.deleted) {
            doc = newDoc(group.key());
        }
        // copies of category rows the same transaction wrote: the freshest attributes there are
        Map<String, CategoryDoc> copies = new HashMap<>();
        for (ChangeEnvelope change : group.of(Tables.CATEGORIES)) {
            Map<String, Object> row = change.row();
            String id = text(row, "id");
            copies.put(id, category(id, row, change.op() == Operation.DELETE, group.commitLsn()));
        }
        for (ChangeEnvelope change : group.changes()) {
            Map<String, Object> row = change.row();
            boolean delete = change.op() == Operation.DELETE;
            switch (change.table()) {
                case Tables.CONCEPTS -> {
                    if (delete) {
                        doc = ConceptDoc.tombstone(group.key(), group.commitLsn());
                    } else {
                        if (doc.deleted) {
                            doc = newDoc(group.key());
                        }
                        setConcept(doc, row);
                    }
                }
                case Tables.CONCEPT_CATEGORIES -> {
                    if (doc.deleted) {
                        continue;
                    }
                    String categoryId = text(row, "category_id");
                    if (delete) {
                        doc.categories.removeIf(e -> Objects.equals(e.id, categoryId));
                    } else {
                        ConceptDoc.CategoryEntry entry = doc.category(categoryId);
                        if (entry == null) {
                            entry = new ConceptDoc.CategoryEntry();
                            entry.id = categoryId;
                            doc.categories.add(entry);
                        }
                        entry.membershipId = text(row, "id");
                        entry.weight = number(row, "weight");
                        CategoryDoc attributes = copies.get(categoryId);
                        if (attributes == null) {
                            attributes = known.apply(categoryId);
                        }
                        if (attributes != null) {
                            applyAttributes(entry, attributes);
                        }
                    }
                }
                case Tables.CONCEPT_RELATIONS -> {
                    if (doc.deleted) {
                        continue;
                    }
                    String id = text(row, "id");
                    doc.relations.removeIf(r -> Objects.equals(r.id, id));
                    if (!delete) {
                        ConceptDoc.RelationEntry relation = new ConceptDoc.RelationEntry();
                        relation.id = id;
                        relation.from = text(row, "from_category_id");
                        relation.to = text(row, "to_category_id");
                        relation.type = text(row, "type");
                        relation.weight = number(row, "weight");
                        relation.rationale = text(row, "rationale");
                        doc.relations.add(relation);
                    }
                }
                default -> {
                    // categories copies: applied to the memberships below; unknown tables: ignored
                }
            }
        }
        if (!doc.deleted) {
            // a copy may describe a category of an unchanged membership (a description filled in by this write)
            for (CategoryDoc copy : copies.values()) {
                applyCategory(doc, copy);
            }
        }
        doc.appliedLsn = group.commitLsn();
        return doc;
    }

    /**
     * The category state after a group of {@code dialectica.category-changes}, or null for a repeat.
     */
    public static CategoryDoc applyCategoryGroup(CategoryDoc current, ChangeGroup group) {
        if (current != null && group.commitLsn() <= current.lsn) {
            return null;
        }
        CategoryDoc result = current;
        for (ChangeEnvelope change : group.changes()) {
            if (!Tables.CATEGORIES.equals(change.table())) {
                continue;
            }
            result = category(group.key(), change.row(), change.op() == Operation.DELETE, group.commitLsn());
        }
        if (result == null) {
            result = new CategoryDoc(group.key(), null, null, null, false, group.commitLsn());
        }
        result.lsn = group.commitLsn();
        return result;
    }

    /** Sets a category's attributes on the document's membership, if it has one and they are newer. */
    public static boolean applyCategory(ConceptDoc doc, CategoryDoc category) {
        if (doc.deleted || doc.categories == null) {
            return false;
        }
        ConceptDoc.CategoryEntry entry = doc.category(category.id);
        return entry != null && applyAttributes(entry, category);
    }

    private static boolean applyAttributes(ConceptDoc.CategoryEntry entry, CategoryDoc category) {
        if (category.lsn <= entry.lsn || category.deleted) {
            return false;
        }
        entry.name = category.name;
        entry.description = category.description;
        entry.lsn = category.lsn;
        return true;
    }

    /** Category ids the group's memberships reference without carrying the category row. */
    public static List<String> referencedCategories(ChangeGroup group) {
        List<String> copied = new ArrayList<>();
        for (ChangeEnvelope change : group.of(Tables.CATEGORIES)) {
            copied.add(text(change.row(), "id"));
        }
        List<String> ids = new ArrayList<>();
        for (ChangeEnvelope change : group.of(Tables.CONCEPT_CATEGORIES)) {
            String id = text(change.row(), "category_id");
            if (change.op() != Operation.DELETE && id != null && !copied.contains(id) && !ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    static CategoryDoc category(String id, Map<String, Object> row, boolean deleted, long lsn) {
        return new CategoryDoc(id, text(row, "name"), text(row, "canonical_name"), text(row, "description"), deleted,
                lsn);
    }

    private static ConceptDoc newDoc(String id) {
        ConceptDoc doc = new ConceptDoc();
        doc.id = id;
        return doc;
    }

    private static void setConcept(ConceptDoc doc, Map<String, Object> row) {
        doc.name = text(row, "name");
        doc.nameSuggest = doc.name;
        doc.description = text(row, "description");
        doc.tradition = text(row, "tradition");
        doc.owner = text(row, "owner");
        doc.visibility = text(row, "visibility");
        doc.qualityScore = number(row, "quality_score");
        Double version = number(row, "version");
        doc.conceptVersion = version == null ? null : version.longValue();
        doc.createdAt = text(row, "created_at");
        doc.updatedAt = text(row, "updated_at");
        doc.deleted = false;
        if (doc.categories == null) {
            doc.categories = new ArrayList<>();
        }
        if (doc.relations == null) {
            doc.relations = new ArrayList<>();
        }
    }

    static String text(Map<String, Object> row, String column) {
        Object value = row == null ? null : row.get(column);
        return value == null ? null : value.toString();
    }

    static Double number(Map<String, Object> row, String column) {
        Object value = row == null ? null : row.get(column);
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s && !s.isBlank()) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
