package io.dialectica.cdc;

import java.time.Instant;
import java.util.List;

/**
 * A complete piece of the source stream that is published as a whole: one committed source
 * transaction (with the rows of an incremental snapshot's chunk when it closed the chunk's window), the
 * whole initial snapshot, a heartbeat transaction (published only as a watermark), or a transaction
 * that only wrote signals (published as nothing; a later watermark covers it).
 */
record Unit(Type type, long txId, long commitLsn, Instant commitTime, List<Captured> changes) {

    enum Type {
        TRANSACTION, SNAPSHOT, HEARTBEAT, SIGNAL
    }
}
