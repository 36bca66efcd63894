package io.dialectica.contracts.projection;

import io.dialectica.contracts.ChangeEnvelope;

import java.time.Instant;
import java.util.List;

/**
 * Every envelope one source transaction produced under one key on one topic, complete and in WAL
 * order (docs/events.md, "Change groups"). A projector applies a group in one store transaction, or
 * not at all when {@code commitLsn} is not above what it applied for the key.
 */
public record ChangeGroup(String topic, int partition, String key, long commitLsn, long txId, Instant commitTime,
        boolean snapshot, List<ChangeEnvelope> changes) {

    public ChangeGroup {
        changes = List.copyOf(changes);
    }

    /** The changes of one table, in WAL order. */
    public List<ChangeEnvelope> of(String table) {
        return changes.stream().filter(c -> table.equals(c.table())).toList();
    }

    /** When the cdc-connector received the transaction: the freshness floor's end. */
    public Instant capturedAt() {
        return changes.get(changes.size() - 1).capturedAt();
    }
}
