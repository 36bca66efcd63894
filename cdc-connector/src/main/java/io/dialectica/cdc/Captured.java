package io.dialectica.cdc;

import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;

import java.time.Instant;
import java.util.Map;

/**
 * One row change as read from Debezium, before it is routed and numbered. {@code snapshot}: a row read by the
 * initial snapshot or by an incremental snapshot (op {@code r}), not a change from the WAL.
 */
record Captured(
        String table,
        Operation op,
        Map<String, Object> before,
        Map<String, Object> after,
        long lsn,
        long txId,
        Instant commitTime,
        boolean snapshot,
        Instant capturedAt) {

    Map<String, Object> row() {
        return after != null ? after : before;
    }

    String column(String name) {
        Object value = row() == null ? null : row().get(name);
        return value == null ? null : value.toString();
    }

    /** True for the tables whose rows are published (not the heartbeat or signal tables). */
    static boolean isPublished(String table) {
        return Tables.CATEGORIES.equals(table) || Tables.CONCEPT_SCOPED.contains(table);
    }
}
