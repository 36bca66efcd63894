package io.dialectica.concept.history;

import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.concept.rest.dto.VersionChanges;
import io.dialectica.concept.rest.dto.VersionChanges.CategoryChanges;
import io.dialectica.concept.rest.dto.VersionChanges.FieldChange;
import io.dialectica.concept.rest.dto.VersionChanges.Moved;
import io.dialectica.concept.rest.dto.VersionChanges.Point;
import io.dialectica.concept.rest.dto.VersionChanges.RelationChanged;
import io.dialectica.concept.rest.dto.VersionChanges.RelationChanges;
import io.dialectica.concept.rest.dto.VersionChanges.Reweighted;
import io.dialectica.contracts.rows.CategoryRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static io.dialectica.concept.history.Groups.CATEGORIES;
import static io.dialectica.concept.history.Groups.CONCEPTS;
import static io.dialectica.concept.history.Groups.MEMBERS;
import static io.dialectica.concept.history.Groups.RELATIONS;
import static io.dialectica.concept.history.Groups.category;
import static io.dialectica.concept.history.Groups.concept;
import static io.dialectica.concept.history.Groups.member;
import static io.dialectica.concept.history.Groups.relation;
import static io.dialectica.concept.history.Groups.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A concept's life as concept-service's transactions write it, group by group: each version's state, author and the
 * exact diff against the version before.
 */
class VersionBuilderTest {

    static final UUID C = UUID.fromString("00000000-0000-4000-8000-0000000000c1");
    static final UUID BEING = UUID.fromString("00000000-0000-4000-8000-00000000000a");
    static final UUID NOTHING = UUID.fromString("00000000-0000-4000-8000-00000000000b");
    static final UUID BECOMING = UUID.fromString("00000000-0000-4000-8000-00000000000c");
    static final UUID M_BEING = UUID.randomUUID();
    static final UUID M_NOTHING = UUID.randomUUID();
    static final UUID M_BECOMING = UUID.randomUUID();
    static final UUID R1 = UUID.fromString("00000000-0000-4000-8000-0000000000f1");
    static final UUID R2 = UUID.fromString("00000000-0000-4000-8000-0000000000f2");

    /** Becoming existed before (another concept made it): the group has no copy of its row. */
    static final Function<UUID, CategoryRow> LOOKUP = id -> id.equals(BECOMING)
            ? new CategoryRow(BECOMING, "Becoming", "becoming", "The unity of being and nothing", null) : null;

    static final Map<String, Object> V1 = concept(C, "alice", "Logic", "Pure being", "Hegel", "PRIVATE", 0.4, 1, "alice");
    static final Map<String, Object> MB = member(M_BEING, C, BEING, 0.9, 0, 0);
    static final Map<String, Object> MN = member(M_NOTHING, C, NOTHING, 0.9, 200, 0);
    static final Map<String, Object> MBE = member(M_BECOMING, C, BECOMING, 1.0, 100, 150);
    static final Map<String, Object> REL1 = relation(R1, C, BEING, NOTHING, "NEGATES", 0.8, "being is nothing");
    static final Map<String, Object> REL2 = relation(R2, C, BECOMING, BEING, "SUBLATES", 1.0, null);

    static final CategoryView BEING_09 = new CategoryView(BEING, "Being", "being", "Pure indeterminate immediacy", 0.9, 0, 0);
    static final CategoryView NOTHING_09 = new CategoryView(NOTHING, "Nothing", "nothing", null, 0.9, 200, 0);
    static final CategoryView BECOMING_10 = new CategoryView(BECOMING, "Becoming", "becoming",
            "The unity of being and nothing", 1.0, 100, 150);
    static final RelationView R1_VIEW = new RelationView(R1, "Being", "Nothing", BEING, NOTHING, "NEGATES", 0.8,
            "being is nothing");
    static final RelationView R2_VIEW = new RelationView(R2, "Becoming", "Being", BECOMING, BEING, "SUBLATES", 1.0, null);

    static RecordedVersion created() {
        return VersionBuilder.next(null, Groups.of(C, 1000)
                .insert(CATEGORIES, category(BEING, "Being", "Pure indeterminate immediacy"))
                .insert(CATEGORIES, category(NOTHING, "Nothing", null))
                .insert(CONCEPTS, V1)
                .insert(MEMBERS, MB).insert(MEMBERS, MN).insert(MEMBERS, MBE)
                .insert(RELATIONS, REL1)
                .group(), LOOKUP, HistoryJson.MAPPER);
    }

    @Test
    void aCreationListsItsFieldsAndAddsEverything() {
        RecordedVersion v = created();
        assertEquals(RecordedVersion.Kind.CREATED, v.kind());
        assertEquals(1, v.version());
        assertEquals("alice", v.changedBy());
        assertEquals(1000, v.commitLsn());
        assertEquals(Groups.T0.plusMillis(1000), v.commitTime());
        assertEquals(new ConceptView(C, "alice", "Logic", "Pure being", "Hegel", Visibility.PRIVATE, 0.4, 1,
                Instant.parse("2026-12-06T09:59:59.000001Z"), Groups.T0.plusSeconds(1),
                List.of(BECOMING_10, BEING_09, NOTHING_09), List.of(R1_VIEW)), v.state());
        assertEquals(new VersionChanges(
                List.of(new FieldChange("name", null, "Logic"), new FieldChange("description", null, "Pure being"),
                        new FieldChange("tradition", null, "Hegel"), new FieldChange("visibility", null, "PRIVATE")),
                new CategoryChanges(List.of(BECOMING_10, BEING_09, NOTHING_09), List.of(), List.of(), List.of()),
                new RelationChanges(List.of(R1_VIEW), List.of(), List.of())), v.changes());
    }

    @Test
    void everyKindOfChangeIsNamedExactly() {
        RecordedVersion v1 = created();

        // v2 (alice): renamed, Being re-weighted
        Map<String, Object> v2Row = with(V1, "name", "Logic of Being", "version", 2L, "updated_at", Groups.T0.plusSeconds(2).toString());
        RecordedVersion v2 = VersionBuilder.next(v1.state(), Groups.of(C, 2000)
                .update(MEMBERS, MB, with(MB, "weight", 0.5))
                .update(CONCEPTS, V1, v2Row)
                .group(), LOOKUP, HistoryJson.MAPPER);
        assertEquals(RecordedVersion.Kind.CHANGED, v2.kind());
        assertEquals(2, v2.version());
        assertEquals("alice", v2.changedBy());
        assertEquals(new VersionChanges(List.of(new FieldChange("name", "Logic", "Logic of Being")),
                new CategoryChanges(List.of(), List.of(),
                        List.of(new Reweighted(BEING, "Being", 0.9, 0.5)), List.of()),
                new RelationChanges(List.of(), List.of(), List.of())), v2.changes());

        // v3 (an admin): Nothing moved and re-weighted, a relation added, made public
        Map<String, Object> v3Row = with(v2Row, "version", 3L, "visibility", "PUBLIC", "changed_by", "root");
        RecordedVersion v3 = VersionBuilder.next(v2.state(), Groups.of(C, 3000)
                .update(MEMBERS, MN, with(MN, "x", 250.0, "y", -10.5, "weight", 0.7))
                .insert(RELATIONS, REL2)
                .update(CONCEPTS, v2Row, v3Row)
                .group(), LOOKUP, HistoryJson.MAPPER);
        assertEquals("root", v3.changedBy());
        assertEquals(new VersionChanges(List.of(new FieldChange("visibility", "PRIVATE", "PUBLIC")),
                new CategoryChanges(List.of(), List.of(),
                        List.of(new Reweighted(NOTHING, "Nothing", 0.9, 0.7)),
                        List.of(new Moved(NOTHING, "Nothing", new Point(200, 0), new Point(250, -10.5)))),
                new RelationChanges(List.of(R2_VIEW), List.of(), List.of())), v3.changes());

        // v4 (alice): Becoming removed, and with it the relation that touches it (the cascade is in the group)
        Map<String, Object> v4Row = with(v3Row, "version", 4L, "changed_by", "alice", "quality_score", 0.2);
        RecordedVersion v4 = VersionBuilder.next(v3.state(), Groups.of(C, 4000)
                .delete(MEMBERS, MBE)
                .delete(RELATIONS, REL2)
                .update(CONCEPTS, v3Row, v4Row)
                .group(), LOOKUP, HistoryJson.MAPPER);
        assertEquals(new VersionChanges(List.of(),
                new CategoryChanges(List.of(), List.of(BECOMING_10), List.of(), List.of()),
                new RelationChanges(List.of(), List.of(R2_VIEW), List.of())), v4.changes());
        assertEquals(List.of(new CategoryView(BEING, "Being", "being", "Pure indeterminate immediacy", 0.5, 0, 0),
                new CategoryView(NOTHING, "Nothing", "nothing", null, 0.7, 250, -10.5)), v4.state().categories());
        assertEquals(0.2, v4.state().qualityScore());

        // v5 (alice): the relation's weight and rationale changed in place (a PUT of the whole concept)
        Map<String, Object> v5Row = with(v4Row, "version", 5L, "description", null);
        RecordedVersion v5 = VersionBuilder.next(v4.state(), Groups.of(C, 5000)
                .update(RELATIONS, REL1, with(REL1, "weight", 0.6, "rationale", null))
                .update(CONCEPTS, v4Row, v5Row)
                .group(), LOOKUP, HistoryJson.MAPPER);
        assertEquals(new VersionChanges(List.of(new FieldChange("description", "Pure being", null)),
                new CategoryChanges(List.of(), List.of(), List.of(), List.of()),
                new RelationChanges(List.of(), List.of(), List.of(new RelationChanged(R1, "Being", "Nothing", "NEGATES",
                        List.of(new FieldChange("weight", 0.8, 0.6), new FieldChange("rationale", "being is nothing", null)))))),
                v5.changes());

        // deleted by carol (an admin): concept-service's last update names her, then the delete and its cascades
        Map<String, Object> v6Row = with(v5Row, "version", 6L, "changed_by", "carol");
        RecordedVersion deleted = VersionBuilder.next(v5.state(), Groups.of(C, 6000)
                .update(CONCEPTS, v5Row, v6Row)
                .delete(CONCEPTS, v6Row)
                .delete(MEMBERS, with(MB, "weight", 0.5))
                .delete(RELATIONS, with(REL1, "weight", 0.6, "rationale", null))
                .group(), LOOKUP, HistoryJson.MAPPER);
        assertEquals(RecordedVersion.Kind.DELETED, deleted.kind());
        assertEquals(6, deleted.version());
        assertEquals("carol", deleted.changedBy());
        assertEquals("alice", deleted.owner());
        assertEquals("PUBLIC", deleted.visibility());
        assertNull(deleted.state());
        assertEquals(VersionChanges.none(), deleted.changes());
    }

    @Test
    void aChangeWithoutAnEarlierVersionIsNotRecorded() {
        assertNull(VersionBuilder.next(null, Groups.of(C, 2000)
                .update(CONCEPTS, V1, with(V1, "version", 2L)).group(), LOOKUP, HistoryJson.MAPPER));
    }

    @Test
    void aDeletionIsRecordedEvenWithoutAnEarlierVersion() {
        Map<String, Object> row = with(V1, "version", 9L, "changed_by", "bob");
        RecordedVersion deleted = VersionBuilder.next(null, Groups.of(C, 9000).delete(CONCEPTS, row).group(), LOOKUP,
                HistoryJson.MAPPER);
        assertEquals(RecordedVersion.Kind.DELETED, deleted.kind());
        assertEquals(9, deleted.version());
        assertEquals("bob", deleted.changedBy());
    }

    @Test
    void aChangeThatBypassedConceptServiceKeepsTheVersionAndHasNoAuthor() {
        RecordedVersion v1 = created();
        RecordedVersion v = VersionBuilder.next(v1.state(), Groups.of(C, 1500)
                .update(MEMBERS, MB, with(MB, "x", 5.0)).group(), LOOKUP, HistoryJson.MAPPER);
        assertEquals(RecordedVersion.Kind.CHANGED, v.kind());
        assertEquals(1, v.version());
        assertNull(v.changedBy());
        assertEquals(List.of(new Moved(BEING, "Being", new Point(0, 0), new Point(5, 0))), v.changes().categories().moved());
    }

    @Test
    void aCategoryDescriptionFilledByTheSameWriteIsInTheState() {
        RecordedVersion v1 = created();
        Map<String, Object> v2Row = with(V1, "version", 2L);
        RecordedVersion v2 = VersionBuilder.next(v1.state(), Groups.of(C, 2000)
                .update(CATEGORIES, category(NOTHING, "Nothing", null), category(NOTHING, "Nothing", "The empty"))
                .update(CONCEPTS, V1, v2Row)
                .group(), LOOKUP, HistoryJson.MAPPER);
        assertEquals("The empty", v2.state().categories().get(2).description());
        assertEquals(VersionChanges.none(), v2.changes());
    }
}
