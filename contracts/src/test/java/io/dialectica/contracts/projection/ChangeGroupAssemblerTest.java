package io.dialectica.contracts.projection;

import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Operation;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeGroupAssemblerTest {

    private static final Instant T = Instant.parse("2026-11-23T08:00:00Z");

    private static ChangeEnvelope change(String key, long commitLsn, int index, int size) {
        return ChangeEnvelope.change("concepts", Operation.UPDATE, key, null, Map.of("id", key), commitLsn - 10 + index,
                commitLsn, 7, T, index, size, size, false, T);
    }

    @Test
    void completesAGroupOnItsLastEnvelope() {
        var assembler = new ChangeGroupAssembler("t");
        assertTrue(assembler.accept(0, change("a", 100, 0, 3)).isEmpty());
        assertTrue(assembler.accept(0, change("a", 100, 1, 3)).isEmpty());
        assertTrue(assembler.hasOpenRun(0));
        Optional<ChangeGroup> group = assembler.accept(0, change("a", 100, 2, 3));
        assertTrue(group.isPresent());
        assertEquals(3, group.get().changes().size());
        assertEquals("a", group.get().key());
        assertEquals(100, group.get().commitLsn());
        assertEquals("t", group.get().topic());
        assertFalse(assembler.hasOpenRun(0));
    }

    @Test
    void aReDeliveryFromIndexZeroDropsTheInterruptedRun() {
        var assembler = new ChangeGroupAssembler("t");
        assembler.accept(1, change("a", 100, 0, 3));
        assembler.accept(1, change("a", 100, 1, 3));
        // the connector crashed and published the transaction again, whole
        assertTrue(assembler.accept(1, change("a", 100, 0, 3)).isEmpty());
        assertTrue(assembler.accept(1, change("a", 100, 1, 3)).isEmpty());
        ChangeGroup group = assembler.accept(1, change("a", 100, 2, 3)).orElseThrow();
        assertEquals(3, group.changes().size());
        assertEquals(1, assembler.droppedRuns());
    }

    @Test
    void aTailWithoutItsHeadIsNeverAppliedAsAGroup() {
        var assembler = new ChangeGroupAssembler("t");
        assertTrue(assembler.accept(0, change("a", 100, 1, 2)).isEmpty());
        assertFalse(assembler.hasOpenRun(0));
        assertEquals(1, assembler.droppedRuns());
    }

    @Test
    void partitionsAreIndependent() {
        var assembler = new ChangeGroupAssembler("t");
        assembler.accept(0, change("a", 100, 0, 2));
        assertTrue(assembler.accept(1, change("b", 90, 0, 1)).isPresent());
        assertTrue(assembler.accept(0, change("a", 100, 1, 2)).isPresent());
    }

    @Test
    void watermarksAreRefused() {
        var assembler = new ChangeGroupAssembler("t");
        assertThrows(IllegalArgumentException.class, () -> assembler.accept(0, ChangeEnvelope.watermark(5, 1, T, T)));
    }
}
