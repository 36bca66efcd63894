package io.dialectica.cdc;

import io.dialectica.cdc.TopicReader.Received;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.projection.ChangeGroupAssembler;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A projector in miniature, for the tests: the consumer algorithm of docs/events.md (groups reassembled per
 * partition, a group applied only when its commit LSN is above the key's applied one) applied to a plain model of
 * the four tables (rows by id, the columns compared with PostgreSQL). Started empty at a position, it is what a
 * projection that lost everything would hold after consuming from there.
 */
final class Replay {

    /** The columns compared with PostgreSQL (timestamps are left out: their text forms differ). */
    static final Map<String, List<String>> COLUMNS = Map.of(
            Tables.CONCEPTS, List.of("id", "owner", "name", "description", "tradition", "visibility", "quality_score",
                    "version"),
            Tables.CATEGORIES, List.of("id", "name", "canonical_name", "description"),
            Tables.CONCEPT_CATEGORIES, List.of("id", "concept_id", "category_id", "weight", "x", "y"),
            Tables.CONCEPT_RELATIONS, List.of("id", "concept_id", "from_category_id", "to_category_id", "type", "weight",
                    "rationale"));

    /** table → row id → compared columns. */
    final Map<String, Map<String, Map<String, Object>>> rows = new TreeMap<>();
    int appliedGroups;
    int repeatedGroups;

    private Replay() {
        COLUMNS.keySet().forEach(t -> rows.put(t, new TreeMap<>()));
    }

    /**
     * Applies, in partition order, every change group of both topics whose commit LSN is above {@code after}
     * (0: the whole history). Categories are taken from their own topic (the authority), the concept-scoped rows from
     * the concept topic.
     */
    static Replay of(List<Received> records, String conceptTopic, String categoryTopic, long after) {
        Replay replay = new Replay();
        Map<String, Long> applied = new HashMap<>();
        Map<String, ChangeGroupAssembler> assemblers = new HashMap<>();
        List<Received> ordered = new ArrayList<>(records);
        ordered.sort(Comparator.comparing(Received::topic).thenComparingInt(Received::partition)
                .thenComparingLong(Received::offset));
        for (Received r : ordered) {
            ChangeEnvelope e = r.envelope();
            if (e.isWatermark() || e.commitLsn() <= after) {
                continue;
            }
            Optional<ChangeGroup> group = assemblers.computeIfAbsent(r.topic(), ChangeGroupAssembler::new)
                    .accept(r.partition(), e);
            if (group.isEmpty()) {
                continue;
            }
            ChangeGroup g = group.get();
            String appliedKey = g.topic() + "/" + g.key();
            if (g.commitLsn() <= applied.getOrDefault(appliedKey, 0L)) {
                replay.repeatedGroups++;
                continue;
            }
            applied.put(appliedKey, g.commitLsn());
            replay.appliedGroups++;
            boolean categoryTopicGroup = categoryTopic.equals(g.topic());
            for (ChangeEnvelope change : g.changes()) {
                boolean category = Tables.CATEGORIES.equals(change.table());
                if (category != categoryTopicGroup || !COLUMNS.containsKey(change.table())) {
                    continue; // the copies of categories in a concept's group; anything unknown
                }
                Map<String, Object> row = change.row();
                String id = String.valueOf(row.get("id"));
                if (change.op() == Operation.DELETE) {
                    replay.rows.get(change.table()).remove(id);
                } else {
                    replay.rows.get(change.table()).put(id, compared(change.table(), row));
                }
            }
        }
        return replay;
    }

    /** The same model read from PostgreSQL. */
    static Map<String, Map<String, Map<String, Object>>> database(Connection c) throws SQLException {
        Map<String, Map<String, Map<String, Object>>> all = new TreeMap<>();
        for (Map.Entry<String, List<String>> table : COLUMNS.entrySet()) {
            Map<String, Map<String, Object>> rows = new TreeMap<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select " + String.join(", ", table.getValue()) + " from "
                            + table.getKey())) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (String column : table.getValue()) {
                        row.put(column, rs.getObject(column));
                    }
                    rows.put(row.get("id").toString(), compared(table.getKey(), row));
                }
            }
            all.put(table.getKey(), rows);
        }
        return all;
    }

    /** Differences between the model and the database, one line each (empty: equal). */
    static List<String> differences(Map<String, Map<String, Map<String, Object>>> expected,
            Map<String, Map<String, Map<String, Object>>> actual) {
        List<String> out = new ArrayList<>();
        for (String table : COLUMNS.keySet()) {
            Map<String, Map<String, Object>> want = expected.getOrDefault(table, Map.of());
            Map<String, Map<String, Object>> got = actual.getOrDefault(table, Map.of());
            for (Map.Entry<String, Map<String, Object>> row : want.entrySet()) {
                Map<String, Object> other = got.get(row.getKey());
                if (other == null) {
                    out.add(table + " " + row.getKey() + ": missing (database has " + row.getValue() + ")");
                } else if (!other.equals(row.getValue())) {
                    out.add(table + " " + row.getKey() + ": " + other + " but the database has " + row.getValue());
                }
            }
            for (String id : got.keySet()) {
                if (!want.containsKey(id)) {
                    out.add(table + " " + id + ": present but not in the database: " + got.get(id));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> compared(String table, Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String column : COLUMNS.get(table)) {
            Object value = row.get(column);
            if (value instanceof Number n) {
                value = n.doubleValue();
            } else if (value instanceof UUID || value instanceof CharSequence) {
                value = value.toString();
            }
            out.put(column, value);
        }
        return out;
    }
}
