package io.dialectica.cdc;

import java.time.Instant;
import java.util.List;

/**
 * A complete piece of the source stream that is published as a whole: one committed source
 * transaction, the whole initial snapshot, or a heartbeat transaction (published only as a watermark).
 */
record Unit(Type type, long txId, long commitLsn, Instant commitTime, List<Captured> changes) {

    enum Type {
        TRANSACTION, SNAPSHOT, HEARTBEAT
    }
}
