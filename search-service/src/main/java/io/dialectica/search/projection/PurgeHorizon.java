package io.dialectica.search.projection;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Below which LSN a tombstone may go: the projection's low watermark as it was at least {@code retention} ago.
 * Fed with the current low watermark at every purge tick; remembers the notes younger than the retention and the
 * newest older one (memory: at most retention ÷ interval notes).
 */
final class PurgeHorizon {

    private record Note(long atNanos, long low) {
    }

    private final long retentionNanos;
    private final Deque<Note> notes = new ArrayDeque<>();
    private long horizon;

    PurgeHorizon(Duration retention) {
        this.retentionNanos = retention.toNanos();
    }

    /** Notes {@code low} at {@code nowNanos}; returns the horizon (0: nothing may go yet). */
    synchronized long note(long nowNanos, long low) {
        notes.addLast(new Note(nowNanos, low));
        Note old = null;
        while (!notes.isEmpty() && nowNanos - notes.peekFirst().atNanos() >= retentionNanos) {
            old = notes.pollFirst();
        }
        if (old != null) {
            // the newest note old enough stays: it is the horizon until a newer one is old enough too
            notes.addFirst(old);
            horizon = Math.max(horizon, old.low());
        }
        return horizon;
    }
}
