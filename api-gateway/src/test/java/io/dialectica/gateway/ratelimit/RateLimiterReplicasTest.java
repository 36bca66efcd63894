package io.dialectica.gateway.ratelimit;

import io.dialectica.gateway.config.GatewayConfig;
import io.dialectica.gateway.observability.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateway replicas' limiters on the one real Redis of the local stack (127.0.0.1:16379), each with
 * its own connection, as two gateway processes would have: the limit holds across them, exactly when
 * they have synced between requests, and within the stated tolerance when they have not.
 */
class RateLimiterReplicasTest {

    private static final int LIMIT = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Vertx vertx;
    private Redis redisA;
    private Redis redisB;
    private RateLimiter replicaA;
    private RateLimiter replicaB;

    @BeforeEach
    void twoReplicas() {
        vertx = Vertx.vertx();
        String prefix = "test:gateway:rate:" + UUID.randomUUID() + ":";
        redisA = Redis.createClient(vertx, "redis://127.0.0.1:16379");
        redisB = Redis.createClient(vertx, "redis://127.0.0.1:16379");
        // a long sync interval: the test syncs on demand, so what is measured is the protocol, not timing
        replicaA = limiter(redisA, prefix, Duration.ofHours(1));
        replicaB = limiter(redisB, prefix, Duration.ofHours(1));
    }

    @AfterEach
    void close() {
        redisA.close();
        redisB.close();
        vertx.closeAndAwait();
    }

    @Test
    void replicasThatSyncBetweenRequestsCountExactlyTogether() {
        String subject = "alternating-" + UUID.randomUUID();
        startInsideAWindow();
        int admitted = 0;
        for (int i = 0; i < 3 * LIMIT; i++) {
            RateLimiter replica = i % 2 == 0 ? replicaA : replicaB;
            RateLimitDecision decision = replica.check(subject).await().atMost(TIMEOUT);
            assertTrue(decision.checked(), "Redis is up: every decision is checked");
            if (decision.allowed()) {
                admitted++;
            }
            // the replica that admitted sends its count first, then the other learns it
            RateLimiter other = replica == replicaA ? replicaB : replicaA;
            replica.sync(true).await().atMost(TIMEOUT);
            other.sync(true).await().atMost(TIMEOUT);
        }
        assertEquals(LIMIT, admitted, "two synced replicas admit exactly the limit between them");
    }

    @Test
    void withoutSyncEachReplicaStopsAtTheLimitAndLearnsTheOthersAtItsNextSync() {
        String subject = "burst-" + UUID.randomUUID();
        startInsideAWindow();
        // replica A takes the whole window before B has heard of it
        List<RateLimitDecision> fromA = drain(replicaA, subject, LIMIT + 5);
        assertEquals(LIMIT, fromA.stream().filter(RateLimitDecision::allowed).count(), "one replica alone is exact");
        replicaA.sync(true).await().atMost(TIMEOUT);
        // B's first decision in this window waits for a sync, so it already knows: nothing left
        RateLimitDecision fromB = replicaB.check(subject).await().atMost(TIMEOUT);
        assertFalse(fromB.allowed(), "the other replica must refuse once the window is used up");
        assertTrue(fromB.retryAfterSeconds() >= 1 && fromB.retryAfterSeconds() <= 60);
    }

    @Test
    void theOvershootAcrossReplicasIsBoundedByWhatTheOthersAdmittedSinceTheirLastSync() {
        String subject = "tolerance-" + UUID.randomUUID();
        startInsideAWindow();
        // both replicas know the subject (one sync each), then admit without syncing
        replicaA.check(subject).await().atMost(TIMEOUT);
        replicaB.check(subject).await().atMost(TIMEOUT);
        int unsyncedAtB = 5;
        drain(replicaB, subject, unsyncedAtB);
        List<RateLimitDecision> fromA = drain(replicaA, subject, 2 * LIMIT);
        long admittedA = fromA.stream().filter(RateLimitDecision::allowed).count();
        long total = 2 + unsyncedAtB + admittedA;
        assertTrue(total <= LIMIT + unsyncedAtB + 1, "admitted " + total + " of " + LIMIT
                + ": more than the limit plus what B admitted since its last sync");
        // after the syncs, neither admits anything more in this window
        replicaA.sync(true).await().atMost(TIMEOUT);
        replicaB.sync(true).await().atMost(TIMEOUT);
        assertFalse(replicaA.check(subject).await().atMost(TIMEOUT).allowed());
        assertFalse(replicaB.check(subject).await().atMost(TIMEOUT).allowed());
    }

    private static List<RateLimitDecision> drain(RateLimiter replica, String subject, int requests) {
        List<RateLimitDecision> decisions = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            decisions.add(replica.check(subject).await().atMost(TIMEOUT));
        }
        return decisions;
    }

    /** Windows are aligned to the minute: a test that straddles two windows would count two limits. */
    private static void startInsideAWindow() {
        long secondOfMinute = java.time.Instant.now().getEpochSecond() % 60;
        if (secondOfMinute > 45) {
            try {
                Thread.sleep((61 - secondOfMinute) * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private RateLimiter limiter(Redis redis, String prefix, Duration syncInterval) {
        GatewayConfig.RateLimit config = new GatewayConfig.RateLimit() {
            public boolean enabled() { return true; }
            public int requests() { return LIMIT; }
            public Duration window() { return Duration.ofMinutes(1); }
            public String keyPrefix() { return prefix; }
            public Duration redisTimeout() { return Duration.ofSeconds(5); }
            public Duration syncInterval() { return syncInterval; }
            public Duration staleAfter() { return Duration.ofMinutes(5); }
        };
        return new RateLimiter(redis, config, new GatewayMetrics(new SimpleMeterRegistry()), vertx, System::currentTimeMillis);
    }
}
