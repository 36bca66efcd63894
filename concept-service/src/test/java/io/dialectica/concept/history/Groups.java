package io.dialectica.concept.history;

import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.projection.ChangeGroup;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Change groups as the cdc-connector publishes them (docs/events.md): every row whole, snake_case columns, in WAL
 * order, numbered within the group. The tests write the rows a concept-service transaction would.
 */
final class Groups {

    static final Instant T0 = Instant.parse("2026-12-06T10:00:00.123456Z");

    private final UUID concept;
    private final long commitLsn;
    private final Instant commitTime;
    private final List<Object[]> rows = new ArrayList<>();
    private boolean snapshot;

    private Groups(UUID concept, long commitLsn) {
        this.concept = concept;
        this.commitLsn = commitLsn;
        this.commitTime = T0.plus(commitLsn, ChronoUnit.MILLIS);
    }

    static Groups of(UUID concept, long commitLsn) {
        return new Groups(concept, commitLsn);
    }

    static Map<String, Object> concept(UUID id, String owner, String name, String description, String tradition,
            String visibility, double quality, long version, String changedBy) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id.toString());
        row.put("owner", owner);
        row.put("name", name);
        row.put("description", description);
        row.put("tradition", tradition);
        row.put("visibility", visibility);
        row.put("quality_score", quality);
        row.put("version", version);
        row.put("created_at", "2026-12-06T09:59:59.000001Z");
        row.put("updated_at", T0.plusSeconds(version).toString());
        row.put("changed_by", changedBy);
        return row;
    }

    static Map<String, Object> category(UUID id, String name, String description) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id.toString());
        row.put("name", name);
        row.put("canonical_name", name.toLowerCase());
        row.put("description", description);
        row.put("created_at", T0.toString());
        return row;
    }

    static Map<String, Object> member(UUID id, UUID concept, UUID category, double weight, double x, double y) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id.toString());
        row.put("concept_id", concept.toString());
        row.put("category_id", category.toString());
        row.put("weight", weight);
        row.put("x", x);
        row.put("y", y);
        return row;
    }

    static Map<String, Object> relation(UUID id, UUID concept, UUID from, UUID to, String type, double weight,
            String rationale) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id.toString());
        row.put("concept_id", concept.toString());
        row.put("from_category_id", from.toString());
        row.put("to_category_id", to.toString());
        row.put("type", type);
        row.put("weight", weight);
        row.put("rationale", rationale);
        return row;
    }

    /** The same row with some columns changed. */
    static Map<String, Object> with(Map<String, Object> row, Object... keyValues) {
        Map<String, Object> copy = new HashMap<>(row);
        for (int i = 0; i < keyValues.length; i += 2) {
            copy.put((String) keyValues[i], keyValues[i + 1]);
        }
        return copy;
    }

    Groups insert(String table, Map<String, Object> after) {
        rows.add(new Object[] {table, Operation.CREATE, null, after});
        return this;
    }

    Groups update(String table, Map<String, Object> before, Map<String, Object> after) {
        rows.add(new Object[] {table, Operation.UPDATE, before, after});
        return this;
    }

    Groups delete(String table, Map<String, Object> before) {
        rows.add(new Object[] {table, Operation.DELETE, before, null});
        return this;
    }

    Groups read(String table, Map<String, Object> after) {
        rows.add(new Object[] {table, Operation.READ, null, after});
        snapshot = true;
        return this;
    }

    @SuppressWarnings("unchecked")
    List<ChangeEnvelope> envelopes() {
        List<ChangeEnvelope> envelopes = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Object[] r = rows.get(i);
            envelopes.add(ChangeEnvelope.change((String) r[0], (Operation) r[1], concept.toString(),
                    (Map<String, Object>) r[2], (Map<String, Object>) r[3], snapshot ? commitLsn : commitLsn - 100 + i,
                    commitLsn, 1000 + commitLsn, commitTime, i, rows.size(), rows.size(), snapshot,
                    commitTime.plusMillis(2)));
        }
        return envelopes;
    }

    ChangeGroup group() {
        return new ChangeGroup("test.concept-changes", 0, concept.toString(), commitLsn, 1000 + commitLsn, commitTime,
                snapshot, envelopes());
    }

    static final String CONCEPTS = Tables.CONCEPTS;
    static final String CATEGORIES = Tables.CATEGORIES;
    static final String MEMBERS = Tables.CONCEPT_CATEGORIES;
    static final String RELATIONS = Tables.CONCEPT_RELATIONS;
}
