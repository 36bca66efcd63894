package io.dialectica.cdc;

import io.dialectica.contracts.Operation;

import java.time.Instant;
import java.util.Map;

/** One row change as read from Debezium, before it is routed and numbered. */
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
}
