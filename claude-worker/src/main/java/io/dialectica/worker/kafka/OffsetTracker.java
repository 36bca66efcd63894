package io.dialectica.worker.kafka;

import java.util.TreeSet;

/**
 * One partition's commit position: the lowest offset not yet finished (or one past the highest seen
 * when all are finished). Records finish out of order (3 jobs in flight); the committed offset never
 * passes an unfinished one, so a crash re-delivers every job whose result was not acknowledged.
 * Used by the consumer thread only.
 */
public final class OffsetTracker {

    private final TreeSet<Long> unfinished = new TreeSet<>();
    private long next = -1;
    private long committed = -1;

    public void seen(long offset) {
        unfinished.add(offset);
        next = Math.max(next, offset + 1);
    }

    public void finished(long offset) {
        unfinished.remove(offset);
    }

    /** The offset to commit (the next record to read after a restart), or -1 when nothing was seen. */
    public long committable() {
        return unfinished.isEmpty() ? next : unfinished.first();
    }

    /** True when {@link #committable()} moved past what was committed last. */
    public boolean advanced() {
        long c = committable();
        return c >= 0 && c > committed;
    }

    public void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    public int unfinishedCount() {
        return unfinished.size();
    }
}
