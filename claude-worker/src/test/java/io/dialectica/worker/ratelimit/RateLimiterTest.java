package io.dialectica.worker.ratelimit;

import io.dialectica.worker.WorkerTestResource;
import io.dialectica.worker.config.WorkerConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared limiter against the real Redis, with short windows so the tests stay short. Grant times
 * are Redis' clock (what the script used), so the window counts do not depend on test-thread timing.
 */
@QuarkusTest
@QuarkusTestResource(WorkerTestResource.class)
class RateLimiterTest {

    @Inject
    RedisDataSource redis;

    private final List<RateLimiter> created = new ArrayList<>();

    private RateLimiter limiter(int requests, int tokens, Duration window, double margin) {
        String prefix = "claude-worker-test:" + UUID.randomUUID() + ":ratelimit";
        RateLimiter l = new RateLimiter(redis, new Limits(requests, tokens, window, margin, prefix));
        created.add(l);
        return l;
    }

    @AfterEach
    void cleanUp() {
        for (RateLimiter l : created) {
            redis.key().del(l.keys().toArray(String[]::new));
        }
    }

    /** Acquires until granted, sleeping as told (what the worker does). */
    private static RateLimiter.Reservation acquire(RateLimiter l, int tokens) throws InterruptedException {
        while (true) {
            RateLimiter.Decision d = l.tryAcquire(tokens);
            if (d.granted()) {
                return d.reservation();
            }
            Thread.sleep(Math.max(1, d.waitFor().toMillis()));
        }
    }

    @Test
    void requestsOverTheLimitAreSpreadAndNoWindowExceedsIt() throws Exception {
        // 20 per 1 s window = one per 50 ms (+1 % margin); 6 competing "replica slots", 45 requests
        RateLimiter l = limiter(20, 1_000_000, Duration.ofSeconds(1), 0.01);
        List<Long> grants = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            futures.add(pool.submit(() -> {
                grants.add(acquire(l, 10).atMs());
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        List<Long> t = new ArrayList<>(grants);
        Collections.sort(t);
        assertEquals(45, t.size());
        for (int i = 1; i < t.size(); i++) {
            assertTrue(t.get(i) - t.get(i - 1) >= l.spacingMs(), "spaced by " + l.spacingMs() + " ms: " + t);
        }
        // any 1-s window (the limit's own) holds at most 20, any 100-ms window at most 2 (its share)
        assertTrue(maxInWindow(t, 1000) <= 20, "max in 1 s: " + maxInWindow(t, 1000));
        assertTrue(maxInWindow(t, 100) <= 2, "max in 100 ms: " + maxInWindow(t, 100));
        // and the limit is used: 45 grants need about 44 spacings, not much more
        long span = t.getLast() - t.getFirst();
        assertTrue(span >= 44 * l.spacingMs() && span < 44 * l.spacingMs() + 1000, "span " + span + " ms");
    }

    private static int maxInWindow(List<Long> sorted, long windowMs) {
        int max = 0;
        for (int i = 0, j = 0; i < sorted.size(); i++) {
            while (sorted.get(i) - sorted.get(j) >= windowMs) {
                j++;
            }
            max = Math.max(max, i - j + 1);
        }
        return max;
    }

    @Test
    void outputTokensAreReservedAndCorrectedToWhatWasUsed() throws Exception {
        RateLimiter l = limiter(1000, 1000, Duration.ofSeconds(10), 0);
        RateLimiter.Reservation a = acquire(l, 400);
        acquire(l, 400);
        RateLimiter.Decision third = l.tryAcquire(400);
        assertFalse(third.granted(), "800 reserved + 400 > 1000 per window");
        assertTrue(third.waitFor().toMillis() > 9000, "until the first reservation leaves the window");
        l.settle(a, 100); // the first call produced only 100 tokens
        RateLimiter.Reservation c = acquire(l, 400);
        assertEquals(900, l.tokensInWindow(), "100 + 400 + 400");
        assertTrue(c.atMs() > 0);
        assertThrows(IllegalArgumentException.class, () -> l.tryAcquire(1001), "max_tokens above the limit");
    }

    @Test
    void theApisRetryAfterHoldsBackEveryReplica() throws Exception {
        RateLimiter one = limiter(1000, 1_000_000, Duration.ofSeconds(10), 0);
        RateLimiter other = new RateLimiter(redis, new Limits(1000, 1_000_000, Duration.ofSeconds(10), 0,
                one.keys().getFirst().replace(":req-tat", "")));
        one.blockFor(Duration.ofMillis(800));
        RateLimiter.Decision d = other.tryAcquire(10);
        assertFalse(d.granted());
        assertTrue(d.waitFor().toMillis() > 600 && d.waitFor().toMillis() <= 800, "waits " + d.waitFor());
        long start = System.nanoTime();
        acquire(other, 10);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 550);
    }

    record Limits(int requestsPerMinute, int outputTokensPerMinute, Duration window, double margin, String keyPrefix)
            implements WorkerConfig.RateLimit {
        @Override
        public Duration maxWaitStep() {
            return Duration.ofSeconds(1);
        }
    }
}
