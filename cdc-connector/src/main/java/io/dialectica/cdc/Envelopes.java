package io.dialectica.cdc;

import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Tables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes a unit's row changes to topics and keys and numbers each change group (docs/events.md):
 * concept rows go to the concept topic under their concept id; a categories row goes to the category
 * topic under its own id and, as a copy, to every concept whose rows in the same unit reference it.
 * Rows read by a snapshot (initial or incremental) carry {@code lsn = commitLsn}: a read has no WAL
 * position of its own.
 */
final class Envelopes {

    record Outgoing(String topic, String key, ChangeEnvelope envelope) {
    }

    private record Target(String topic, String key) {
    }

    private final String conceptTopic;
    private final String categoryTopic;

    Envelopes(String conceptTopic, String categoryTopic) {
        this.conceptTopic = conceptTopic;
        this.categoryTopic = categoryTopic;
    }

    List<Outgoing> of(Unit unit) {
        if (unit.type() == Unit.Type.HEARTBEAT || unit.type() == Unit.Type.SIGNAL) {
            return List.of();
        }
        Map<String, Set<String>> conceptsOfCategory = new LinkedHashMap<>();
        for (Captured change : unit.changes()) {
            String concept = change.column("concept_id");
            if (concept == null) {
                continue;
            }
            for (String column : List.of("category_id", "from_category_id", "to_category_id")) {
                String category = change.column(column);
                if (category != null) {
                    conceptsOfCategory.computeIfAbsent(category, k -> new LinkedHashSet<>()).add(concept);
                }
            }
        }

        Map<Target, List<Captured>> groups = new LinkedHashMap<>();
        int events = 0;
        for (Captured change : unit.changes()) {
            String table = change.table();
            String key;
            if (Tables.CATEGORIES.equals(table)) {
                key = change.column("id");
                add(groups, new Target(categoryTopic, key), change);
                for (String concept : conceptsOfCategory.getOrDefault(key, Set.of())) {
                    add(groups, new Target(conceptTopic, concept), change);
                }
            } else if (Tables.CONCEPTS.equals(table)) {
                add(groups, new Target(conceptTopic, change.column("id")), change);
            } else if (Tables.CONCEPT_SCOPED.contains(table)) {
                add(groups, new Target(conceptTopic, change.column("concept_id")), change);
            } else {
                continue; // the heartbeat table, or a table added to the publication later
            }
            events++;
        }

        List<Outgoing> out = new ArrayList<>();
        for (Map.Entry<Target, List<Captured>> group : groups.entrySet()) {
            List<Captured> changes = group.getValue();
            for (int i = 0; i < changes.size(); i++) {
                Captured c = changes.get(i);
                ChangeEnvelope envelope = ChangeEnvelope.change(c.table(), c.op(), group.getKey().key(), c.before(),
                        c.after(), c.snapshot() ? unit.commitLsn() : c.lsn(), unit.commitLsn(),
                        unit.txId(), unit.commitTime(), i, changes.size(), events, c.snapshot(), c.capturedAt());
                out.add(new Outgoing(group.getKey().topic(), group.getKey().key(), envelope));
            }
        }
        return out;
    }

    private static void add(Map<Target, List<Captured>> groups, Target target, Captured change) {
        if (target.key() == null) {
            throw new IllegalStateException("a " + change.table() + " row without its key column: " + change.row());
        }
        groups.computeIfAbsent(target, k -> new ArrayList<>()).add(change);
    }
}
