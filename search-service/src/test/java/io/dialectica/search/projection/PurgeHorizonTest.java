package io.dialectica.search.projection;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PurgeHorizonTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void nothingMayGoBeforeTheRetentionHasPassedSinceTheFirstNote() {
        PurgeHorizon horizon = new PurgeHorizon(Duration.ofSeconds(60));
        assertEquals(0, horizon.note(0, 100));
        assertEquals(0, horizon.note(30 * SECOND, 200));
        assertEquals(0, horizon.note(59 * SECOND, 300));
    }

    @Test
    void theHorizonIsTheLowWatermarkOfTheNewestNoteThatIsOldEnough() {
        PurgeHorizon horizon = new PurgeHorizon(Duration.ofSeconds(60));
        horizon.note(0, 100);
        horizon.note(30 * SECOND, 200);
        assertEquals(100, horizon.note(60 * SECOND, 300), "the note of t=0 is 60 s old");
        assertEquals(100, horizon.note(89 * SECOND, 400), "the note of t=30 s is only 59 s old");
        assertEquals(200, horizon.note(90 * SECOND, 500));
        assertEquals(500, horizon.note(1000 * SECOND, 600), "after a long pause every earlier note is old enough");
    }

    @Test
    void aLowerWatermarkLaterNeverMovesTheHorizonBack() {
        // a replica's view starts at 0 (partition counts unknown) after a rebalance: the horizon stays
        PurgeHorizon horizon = new PurgeHorizon(Duration.ofSeconds(10));
        horizon.note(0, 500);
        assertEquals(500, horizon.note(10 * SECOND, 0));
        assertEquals(500, horizon.note(20 * SECOND, 0));
    }
}
