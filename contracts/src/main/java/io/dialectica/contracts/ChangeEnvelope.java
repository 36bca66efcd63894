package io.dialectica.contracts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Map;

/**
 * One record on {@link Topics#CONCEPT_CHANGES} or {@link Topics#CATEGORY_CHANGES} (docs/events.md).
 *
 * <p>A <b>change group</b> is the run of envelopes with the same Kafka key and the same
 * {@link #commitLsn()}: every change one source transaction made under that key, in WAL order,
 * {@link #txIndex()} = 0 … {@link #txSize()} − 1, contiguous in one partition. Apply a group only when it
 * is complete, all at once; skip a group whose {@code commitLsn} is at or below what you already applied
 * for that key; drop an incomplete run when the next envelope starts another group (a re-delivery
 * after a connector crash starts again at index 0).
 *
 * @param v            schema version of this envelope, {@value #SCHEMA_VERSION}; consumers ignore unknown fields
 * @param kind         {@link Kind#CHANGE} or {@link Kind#WATERMARK}
 * @param table        source table ({@link Tables}); null for watermarks
 * @param op           what happened; null for watermarks
 * @param key          the Kafka record key: concept id on concept-changes, category id on category-changes;
 *                     null for watermarks
 * @param before       the row before the change (all columns, snake_case names as in PostgreSQL);
 *                     null for inserts and snapshot reads
 * @param after        the row after the change; null for deletes
 * @param lsn          WAL position of this row change (for a snapshot read or a watermark: = commitLsn)
 * @param commitLsn    WAL position of the source transaction's commit (for a read of the initial snapshot: its
 *                     consistent point; for a read of an incremental snapshot: the commit of the transaction that
 *                     closed the chunk's watermark window); equal for every envelope of one source transaction and
 *                     increasing with commit order: the position a projector records as applied
 * @param txId         PostgreSQL transaction id (xid) of the source transaction
 * @param commitTime   commit time of the source transaction (PostgreSQL's clock)
 * @param txIndex      0-based position of this envelope in its change group (same key, same commitLsn)
 * @param txSize       number of envelopes in this change group (0 for watermarks)
 * @param txEvents     number of row changes the whole source transaction made in the captured tables,
 *                     over all keys and both topics (copies not counted)
 * @param snapshot     true for rows read by a snapshot (op {@code r}): the initial one, or an incremental one
 *                     interleaved with the live changes (docs/events.md, "Incremental snapshots")
 * @param capturedAt   when the cdc-connector received the change (its own clock): commit → capturedAt is the
 *                     capture latency floor
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChangeEnvelope(
        int v,
        Kind kind,
        String table,
        Operation op,
        String key,
        Map<String, Object> before,
        Map<String, Object> after,
        long lsn,
        long commitLsn,
        long txId,
        Instant commitTime,
        int txIndex,
        int txSize,
        int txEvents,
        boolean snapshot,
        Instant capturedAt) {

    public static final int SCHEMA_VERSION = 1;

    /** A row change. */
    public static ChangeEnvelope change(String table, Operation op, String key, Map<String, Object> before,
            Map<String, Object> after, long lsn, long commitLsn, long txId, Instant commitTime, int txIndex,
            int txSize, int txEvents, boolean snapshot, Instant capturedAt) {
        return new ChangeEnvelope(SCHEMA_VERSION, Kind.CHANGE, table, op, key, before, after, lsn, commitLsn, txId,
                commitTime, txIndex, txSize, txEvents, snapshot, capturedAt);
    }

    /**
     * A watermark: every change with a commit LSN at or below {@code commitLsn} that belongs to this partition
     * was written to it before this record.
     */
    public static ChangeEnvelope watermark(long commitLsn, long txId, Instant commitTime, Instant capturedAt) {
        return new ChangeEnvelope(SCHEMA_VERSION, Kind.WATERMARK, null, null, null, null, null, commitLsn, commitLsn,
                txId, commitTime, 0, 0, 0, false, capturedAt);
    }

    public boolean isWatermark() {
        return kind == Kind.WATERMARK;
    }

    /** True for the last envelope of its change group: the group can be applied now. */
    public boolean closesGroup() {
        return kind == Kind.CHANGE && txIndex == txSize - 1;
    }

    /** The row as it is now: {@code after}, or {@code before} for a delete. */
    public Map<String, Object> row() {
        return after != null ? after : before;
    }
}
