package io.dialectica.worker.kafka;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffsetTrackerTest {

    @Test
    void neverCommitsPastAnUnfinishedRecord() {
        OffsetTracker t = new OffsetTracker();
        assertEquals(-1, t.committable());
        assertFalse(t.advanced());
        t.seen(10);
        t.seen(11);
        t.seen(12);
        assertEquals(10, t.committable());
        t.finished(11);
        t.finished(12);
        assertEquals(10, t.committable(), "10 still runs: a crash must re-deliver it");
        t.finished(10);
        assertEquals(13, t.committable());
        assertTrue(t.advanced());
        t.committed(13);
        assertFalse(t.advanced());
        t.seen(13);
        assertEquals(13, t.committable());
        assertFalse(t.advanced());
        t.finished(13);
        assertTrue(t.advanced());
        assertEquals(0, t.unfinishedCount());
    }
}
