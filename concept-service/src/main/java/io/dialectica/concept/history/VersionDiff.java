package io.dialectica.concept.history;

import io.dialectica.concept.mapping.ConceptMapper;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What changed between two states of a concept: the user's fields (name, description, tradition, visibility; not
 * the derived quality score, nor version and times), categories by their shared id (added, removed, re-weighted,
 * moved: a category whose weight and place both changed is in both lists), relations by id (added, removed, changed
 * in place). Lists are in the order every answer uses (categories by name, relations by type, then id).
 */
public final class VersionDiff {

    private VersionDiff() {
    }

    /** @param before null for a creation: every field set, every category and relation added */
    public static VersionChanges between(ConceptView before, ConceptView after) {
        List<FieldChange> fields = new ArrayList<>();
        field(fields, "name", before == null ? null : before.name(), after.name());
        field(fields, "description", before == null ? null : before.description(), after.description());
        field(fields, "tradition", before == null ? null : before.tradition(), after.tradition());
        field(fields, "visibility", before == null ? null : before.visibility().name(), after.visibility().name());

        Map<UUID, CategoryView> was = byId(before == null ? List.of() : before.categories());
        Map<UUID, CategoryView> is = byId(after.categories());
        List<CategoryView> added = new ArrayList<>();
        List<CategoryView> removed = new ArrayList<>();
        List<Reweighted> reweighted = new ArrayList<>();
        List<Moved> moved = new ArrayList<>();
        for (CategoryView now : after.categories()) {
            CategoryView then = was.get(now.id());
            if (then == null) {
                added.add(now);
                continue;
            }
            if (Double.compare(then.weight(), now.weight()) != 0) {
                reweighted.add(new Reweighted(now.id(), now.name(), then.weight(), now.weight()));
            }
            if (Double.compare(then.x(), now.x()) != 0 || Double.compare(then.y(), now.y()) != 0) {
                moved.add(new Moved(now.id(), now.name(), new Point(then.x(), then.y()), new Point(now.x(), now.y())));
            }
        }
        if (before != null) {
            for (CategoryView then : before.categories()) {
                if (!is.containsKey(then.id())) {
                    removed.add(then);
                }
            }
        }
        removed.sort(ConceptMapper.CATEGORY_VIEW_ORDER);

        Map<UUID, RelationView> relationsWere = new LinkedHashMap<>();
        if (before != null) {
            before.relations().forEach(r -> relationsWere.put(r.id(), r));
        }
        Map<UUID, RelationView> relationsAre = new LinkedHashMap<>();
        after.relations().forEach(r -> relationsAre.put(r.id(), r));
        List<RelationView> relationsAdded = new ArrayList<>();
        List<RelationView> relationsRemoved = new ArrayList<>();
        List<RelationChanged> relationsChanged = new ArrayList<>();
        for (RelationView now : after.relations()) {
            RelationView then = relationsWere.get(now.id());
            if (then == null) {
                relationsAdded.add(now);
                continue;
            }
            List<FieldChange> changed = new ArrayList<>();
            field(changed, "from", then.from(), now.from());
            field(changed, "to", then.to(), now.to());
            field(changed, "type", then.type(), now.type());
            if (Double.compare(then.weight(), now.weight()) != 0) {
                changed.add(new FieldChange("weight", then.weight(), now.weight()));
            }
            field(changed, "rationale", then.rationale(), now.rationale());
            if (!changed.isEmpty()) {
                relationsChanged.add(new RelationChanged(now.id(), now.from(), now.to(), now.type(), List.copyOf(changed)));
            }
        }
        for (RelationView then : relationsWere.values()) {
            if (!relationsAre.containsKey(then.id())) {
                relationsRemoved.add(then);
            }
        }
        relationsRemoved.sort(ConceptMapper.RELATION_VIEW_ORDER);

        return new VersionChanges(List.copyOf(fields),
                new CategoryChanges(List.copyOf(added), List.copyOf(removed), List.copyOf(reweighted), List.copyOf(moved)),
                new RelationChanges(List.copyOf(relationsAdded), List.copyOf(relationsRemoved), List.copyOf(relationsChanged)));
    }

    private static void field(List<FieldChange> changes, String name, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            changes.add(new FieldChange(name, before, after));
        }
    }

    private static Map<UUID, CategoryView> byId(List<CategoryView> categories) {
        Map<UUID, CategoryView> map = new LinkedHashMap<>();
        categories.forEach(c -> map.put(c.id(), c));
        return map;
    }
}
