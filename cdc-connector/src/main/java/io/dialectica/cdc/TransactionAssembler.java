package io.dialectica.cdc;

import io.dialectica.contracts.Operation;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gathers Debezium's records into complete {@link Unit}s: a source transaction is complete at its END
 * transaction-metadata record (provide.transaction.metadata=true), the initial snapshot at its last record.
 * Not thread-safe: used by the engine's single handler thread.
 *
 * <p>Incremental snapshots: Debezium emits the rows of a chunk ({@code op r}, {@code source.snapshot =
 * "incremental"}) while it processes the chunk's closing watermark, a row its own transaction inserted into
 * the signalling table. They arrive between that transaction's BEGIN and END and belong to it: the unit is
 * published with that transaction's commit LSN, a position after every change the chunk's SELECT could have
 * seen (Debezium dropped from the chunk every row changed between the two watermarks).
 *
 * <p>The caller may mark Debezium records as processed only up to a point where {@link #isOpen()} was
 * false: an offset from inside a transaction would let a restart skip the transaction's earlier rows.
 */
final class TransactionAssembler {

    private static final Logger LOG = Logger.getLogger(TransactionAssembler.class);

    private final String heartbeatTable;
    private final String signalTable;

    private Unit.Type openType;
    private long openTxId;
    private final List<Captured> open = new ArrayList<>();

    TransactionAssembler(String heartbeatTable, String signalTable) {
        this.heartbeatTable = heartbeatTable;
        this.signalTable = signalTable;
    }

    /** True while a transaction or the snapshot has started and is not complete yet. */
    boolean isOpen() {
        return openType != null;
    }

    /** Feeds one Debezium record; returns the units it completes (usually none or one). */
    List<Unit> accept(SourceRecord record, Instant receivedAt) {
        if (!(record.value() instanceof Struct value)) {
            return List.of(); // tombstones are disabled; nothing else comes without a value
        }
        if (has(value, "status") && has(value, "id") && has(value, "event_count")) {
            return transactionMarker(record, value);
        }
        if (has(value, "op") && has(value, "source")) {
            return change(value, receivedAt);
        }
        return List.of(); // Debezium heartbeat records and anything else: nothing to publish
    }

    private List<Unit> transactionMarker(SourceRecord record, Struct value) {
        String status = value.getString("status");
        long txId = parseTxId(value.getString("id"));
        if ("BEGIN".equals(status)) {
            List<Unit> done = new ArrayList<>(closeSnapshotIfOpen());
            if (openType == Unit.Type.TRANSACTION && openTxId != txId) {
                LOG.errorf("transaction %d began while %d was still open; the open one is dropped", txId, openTxId);
                open.clear();
            }
            if (openType == null) {
                openType = Unit.Type.TRANSACTION;
                openTxId = txId;
            }
            return done;
        }
        if ("END".equals(status)) {
            if (openType != Unit.Type.TRANSACTION || openTxId != txId) {
                return List.of(); // e.g. the END Debezium emits for the snapshot transaction
            }
            Map<String, ?> offset = record.sourceOffset();
            Long commitLsn = asLong(offset.get("lsn_commit"));
            if (commitLsn == null) {
                commitLsn = asLong(offset.get("lsn"));
            }
            if (commitLsn == null) {
                throw new IllegalStateException("END of transaction " + txId + " carries no commit LSN: " + offset);
            }
            return List.of(complete(commitLsn));
        }
        return List.of();
    }

    private List<Unit> change(Struct value, Instant receivedAt) {
        Struct source = value.getStruct("source");
        String snapshotFlag = has(source, "snapshot") ? source.getString("snapshot") : null;
        boolean incremental = "incremental".equals(snapshotFlag);
        boolean snapshot = snapshotFlag != null && !"false".equals(snapshotFlag) && !incremental;
        Operation op;
        try {
            op = Operation.ofCode(value.getString("op"));
        } catch (IllegalArgumentException e) {
            LOG.warnf("skipping a change with operation %s", value.getString("op"));
            return List.of();
        }
        Map<String, Object> before = Structs.toMap(value.getStruct("before"));
        Map<String, Object> after = Structs.toMap(value.getStruct("after"));
        Structs.fillUnchangedToast(before, after);
        Long sourceLsn = asLong(source.get("lsn"));
        long lsn = sourceLsn == null ? 0 : sourceLsn;
        Long txId = asLong(source.get("txId"));
        Captured captured = new Captured(source.getString("table"), op, before, after, lsn, txId == null ? 0 : txId,
                commitTime(source), snapshot || (incremental && op == Operation.READ), receivedAt);

        List<Unit> done = new ArrayList<>();
        if (snapshot) {
            if (openType == Unit.Type.TRANSACTION) {
                LOG.errorf("snapshot row inside open transaction %d; the transaction is dropped", openTxId);
                open.clear();
                openType = null;
            }
            if (openType == null) {
                openType = Unit.Type.SNAPSHOT;
                openTxId = captured.txId();
            }
            open.add(captured);
            if ("last".equals(snapshotFlag)) {
                done.add(complete(lsn));
            }
            return done;
        }
        done.addAll(closeSnapshotIfOpen());
        if (incremental && openType == Unit.Type.TRANSACTION) {
            // a chunk of an incremental snapshot: part of the transaction whose closing watermark emitted it
            open.add(captured);
            return done;
        }
        if (openType == Unit.Type.TRANSACTION && openTxId != captured.txId()) {
            LOG.errorf("change of transaction %d while %d was open (no END seen); the open one is dropped",
                    captured.txId(), openTxId);
            open.clear();
            openType = null;
        }
        if (openType == null) {
            openType = Unit.Type.TRANSACTION;
            openTxId = captured.txId();
        }
        open.add(captured);
        return done;
    }

    private List<Unit> closeSnapshotIfOpen() {
        if (openType != Unit.Type.SNAPSHOT) {
            return List.of();
        }
        LOG.warn("snapshot ended without a record marked last; closing it at the first streamed record");
        return List.of(complete(open.get(open.size() - 1).lsn()));
    }

    private Unit complete(long commitLsn) {
        List<Captured> changes = List.copyOf(open);
        Unit.Type type = typeOf(openType, changes);
        // the source time of an incremental snapshot's rows is when Debezium emitted them, not a commit time
        Instant commitTime = changes.stream().filter(c -> type == Unit.Type.SNAPSHOT || !c.snapshot())
                .map(Captured::commitTime).findFirst()
                .orElse(changes.isEmpty() ? Instant.now() : changes.get(0).commitTime());
        Unit unit = new Unit(type, openTxId, commitLsn, commitTime, changes);
        open.clear();
        openType = null;
        return unit;
    }

    private Unit.Type typeOf(Unit.Type type, List<Captured> changes) {
        if (type != Unit.Type.TRANSACTION || changes.isEmpty()) {
            return type;
        }
        if (changes.stream().allMatch(c -> heartbeatTable.equals(c.table()))) {
            return Unit.Type.HEARTBEAT;
        }
        if (changes.stream().allMatch(c -> signalTable.equals(c.table()))) {
            return Unit.Type.SIGNAL;
        }
        return type;
    }

    private static Instant commitTime(Struct source) {
        Long micros = has(source, "ts_us") ? asLong(source.get("ts_us")) : null;
        if (micros != null) {
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        }
        Long millis = asLong(source.get("ts_ms"));
        return millis == null ? Instant.now() : Instant.ofEpochMilli(millis);
    }

    private static boolean has(Struct struct, String field) {
        Field f = struct.schema().field(field);
        return f != null;
    }

    private static Long asLong(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    private static long parseTxId(String id) {
        // PostgreSQL: the xid as decimal text; tolerate "xid:lsn" spellings of other versions
        int colon = id.indexOf(':');
        return Long.parseLong(colon < 0 ? id : id.substring(0, colon));
    }
}
