package io.dialectica.local.standin;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A limit over a sliding 60-second window (a log of what was admitted): {@code limit} units per
 * minute, 0 = unlimited. Thread-safe.
 */
final class SlidingWindow {

    static final long WINDOW_MS = 60_000;

    private record Entry(long atMs, long units) {
    }

    private final long limit;
    private final Deque<Entry> log = new ArrayDeque<>();
    private long used;

    SlidingWindow(long limit) {
        this.limit = limit;
    }

    boolean enabled() {
        return limit > 0;
    }

    long limit() {
        return limit;
    }

    /** Admits {@code units} now if the window has room (always when unlimited). */
    synchronized boolean tryAcquire(long units, long nowMs) {
        expire(nowMs);
        if (enabled() && used + units > limit) {
            return false;
        }
        record(units, nowMs);
        return true;
    }

    /** Counts units that were spent anyway (output tokens are known only after the answer). */
    synchronized void record(long units, long nowMs) {
        expire(nowMs);
        log.addLast(new Entry(nowMs, units));
        used += units;
    }

    synchronized long remaining(long nowMs) {
        expire(nowMs);
        return Math.max(0, limit - used);
    }

    /** Milliseconds until {@code units} more would fit (0 if they fit now). */
    synchronized long waitMs(long units, long nowMs) {
        expire(nowMs);
        long free = limit - used;
        for (Entry e : log) {
            if (free >= units) {
                break;
            }
            free += e.units();
            if (free >= units) {
                return Math.max(0, e.atMs() + WINDOW_MS - nowMs);
            }
        }
        return free >= units ? 0 : WINDOW_MS;
    }

    /** When the window is empty again: the newest entry plus a minute (now if empty). */
    synchronized long fullyReplenishedAtMs(long nowMs) {
        expire(nowMs);
        return log.isEmpty() ? nowMs : log.peekLast().atMs() + WINDOW_MS;
    }

    private void expire(long nowMs) {
        while (!log.isEmpty() && log.peekFirst().atMs() + WINDOW_MS <= nowMs) {
            used -= log.removeFirst().units();
        }
    }
}
