package io.dialectica.contracts.projection;

import io.dialectica.contracts.Lsn;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectionProgressTest {

    @Test
    void lowWatermarkIsTheMinimumOverEveryAssignedPartition() {
        var progress = new ProjectionProgress(10);
        assertEquals(0, progress.lowWatermark());
        progress.assigned("concepts", List.of(0, 1));
        progress.assigned("categories", List.of(0));
        progress.advance("concepts", 0, 300);
        progress.advance("concepts", 1, 200);
        assertEquals(0, progress.lowWatermark(), "a partition without a position holds it at 0");
        progress.advance("categories", 0, 250);
        assertEquals(200, progress.lowWatermark());
        progress.advance("concepts", 1, 100);
        assertEquals(200, progress.lowWatermark(), "positions never move back");
        progress.revoked("concepts", List.of(1));
        assertEquals(250, progress.lowWatermark());
    }

    @Test
    void aKeyIsCoveredByItsOwnApplyOrByTheLowWatermark() {
        var progress = new ProjectionProgress(10);
        progress.assigned("concepts", List.of(0));
        String token = Lsn.format(500);
        assertFalse(progress.coversKey("a", 0, token));
        assertTrue(progress.coversKey("a", 500, token), "the store's applied LSN");
        progress.applied("b", 600);
        assertTrue(progress.coversKey("b", 0, token), "the recently applied LSN");
        assertFalse(progress.coversAll(token));
        progress.advance("concepts", 0, 501);
        assertTrue(progress.coversKey("a", 0, token), "a token of another concept's write");
        assertTrue(progress.coversAll(token));
    }

    @Test
    void recentKeysAreBounded() {
        var progress = new ProjectionProgress(2);
        progress.applied("a", 1);
        progress.applied("b", 2);
        progress.applied("c", 3);
        assertTrue(progress.recentlyApplied("a").isEmpty());
        assertEquals(3, progress.recentlyApplied("c").getAsLong());
    }

    @Test
    void awaitCompletesOnAdvanceOrTimesOutWithFalse() throws Exception {
        var progress = new ProjectionProgress(10);
        progress.assigned("concepts", List.of(0));
        CompletableFuture<Boolean> waiting = progress.await(() -> progress.coversAll(Lsn.format(42)), Duration.ofSeconds(10));
        assertFalse(waiting.isDone());
        progress.advance("concepts", 0, 42);
        assertTrue(waiting.get());
        CompletableFuture<Boolean> never = progress.await(() -> progress.coversAll(Lsn.format(1000)), Duration.ofMillis(50));
        assertFalse(never.get());
    }
    @Test
    void waitingCountsOnlyUnfinishedWaiters() throws Exception {
        var progress = new ProjectionProgress(10);
        progress.assigned("concepts", List.of(0));
        assertEquals(0, progress.waiting());
        CompletableFuture<Boolean> first = progress.await(() -> progress.coversAll(Lsn.format(10)), Duration.ofSeconds(10));
        CompletableFuture<Boolean> second = progress.await(() -> progress.coversAll(Lsn.format(20)), Duration.ofSeconds(10));
        assertEquals(2, progress.waiting());
        progress.advance("concepts", 0, 10);
        assertTrue(first.get());
        assertEquals(1, progress.waiting());
        progress.advance("concepts", 0, 20);
        assertTrue(second.get());
        assertEquals(0, progress.waiting());
        progress.await(() -> true, Duration.ofSeconds(10)).get();
        assertEquals(0, progress.waiting(), "an already satisfied condition never waits");
    }
}
