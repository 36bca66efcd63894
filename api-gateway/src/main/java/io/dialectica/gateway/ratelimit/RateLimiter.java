package io.dialectica.gateway.ratelimit;

import io.dialectica.gateway.config.GatewayConfig;
import io.dialectica.gateway.observability.GatewayMetrics;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Per-subject fixed-window rate limit, shared by every gateway replica through Redis, decided locally.
 *
 * <p>Windows are aligned to the epoch ({@code window}-long, the same on every replica), one Redis
 * counter per subject and window. A replica counts what it admits in memory and, every
 * {@code sync-interval}, sends all of it in one pipelined batch ({@code INCRBY} by what it admitted
 * since the last sync, which answers the window's total over all replicas). A request is admitted when
 * the last known total plus what this replica admitted since is below the limit. So a busy subject
 * costs no Redis round trip per request; a subject first seen in a window, or not synced for
 * {@code stale-after}, waits for one synchronous sync first (one round trip, as every request used to).
 *
 * <p>Tolerance across replicas: on one replica the count is exact. Across several, a replica learns
 * what the others admitted at its next sync, so a window can admit at most the limit plus what the
 * other replicas admitted in the last sync interval and Redis round trip (default 50 ms: 0.05 s × the
 * subject's request rate at the other replicas). {@code RateLimiterReplicasTest} checks both with two
 * limiters on one Redis.
 *
 * <p>If Redis fails or is slower than {@code redis-timeout}, requests of a subject whose last sync failed
 * are let through unchecked: the limit protects the backends from one greedy caller, and refusing every
 * caller because the counter store is down would be the larger outage. Each such request is counted
 * ({@code gateway_ratelimit_store_errors_total}), the failure logged at most every 30 s.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final long WARN_EVERY_NANOS = 30_000_000_000L;

    private final Redis redis;
    private final GatewayMetrics metrics;
    private final Vertx vertx;
    private final boolean enabled;
    private final int limit;
    private final long windowMillis;
    private final String keyPrefix;
    private final Duration redisTimeout;
    private final long syncIntervalMillis;
    private final long staleAfterMillis;
    private final LongSupplier clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private long timer = -1;

    @Inject
    public RateLimiter(ReactiveRedisDataSource redis, GatewayConfig config, GatewayMetrics metrics, Vertx vertx) {
        this(redis.getRedis(), config.rateLimit(), metrics, vertx, System::currentTimeMillis);
    }

    public RateLimiter(Redis redis, GatewayConfig.RateLimit config, GatewayMetrics metrics, Vertx vertx, LongSupplier clock) {
        this.redis = redis;
        this.metrics = metrics;
        this.vertx = vertx;
        this.enabled = config.enabled();
        this.limit = config.requests();
        this.windowMillis = config.window().toMillis();
        this.keyPrefix = config.keyPrefix();
        this.redisTimeout = config.redisTimeout();
        this.syncIntervalMillis = Math.max(1, config.syncInterval().toMillis());
        this.staleAfterMillis = config.staleAfter().toMillis();
        this.clock = clock;
    }

    void start(@Observes StartupEvent ignored) {
        startSyncing();
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopSyncing();
    }

    /** Starts the periodic sync (the CDI bean does so at start-up). */
    public void startSyncing() {
        if (enabled && timer < 0) {
            timer = vertx.setPeriodic(syncIntervalMillis, id -> sync(false).subscribe().with(done -> { }, failure -> { }));
        }
    }

    public void stopSyncing() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public Uni<RateLimitDecision> check(String subject) {
        long now = clock.getAsLong();
        long windowId = now / windowMillis;
        Window window = windows.compute(subject, (name, current) ->
                current == null || current.id != windowId ? new Window(keyPrefix + name + ":" + windowId, windowId,
                        (windowId + 1) * windowMillis) : current);
        Uni<Void> ready = window.readyFor(now, staleAfterMillis, () -> syncBatch(List.of(window)));
        return ready == null ? Uni.createFrom().item(decide(window, now)) : ready.map(ignored -> decide(window, clock.getAsLong()));
    }

    private RateLimitDecision decide(Window window, long now) {
        long retryAfter = Math.max(1, (window.endsAt - now + 999) / 1000);
        synchronized (window) {
            window.lastUsed = now;
            if (!window.healthy) {
                metrics.rateLimitStoreError();
                return RateLimitDecision.unchecked(limit);
            }
            long used = window.known + window.inFlight + window.pending;
            if (used >= limit) {
                return new RateLimitDecision(false, limit, 0, retryAfter, true);
            }
            window.pending++;
            return new RateLimitDecision(true, limit, (int) (limit - used - 1), retryAfter, true);
        }
    }

    /**
     * Sends what every window admitted since its last sync and learns the totals, in one pipelined
     * batch. With {@code all}, windows with nothing to send are refreshed too (tests use it to sync on
     * demand); otherwise only those used within {@code stale-after} are.
     */
    public Uni<Void> sync(boolean all) {
        long now = clock.getAsLong();
        long currentWindow = now / windowMillis;
        List<Window> due = new ArrayList<>();
        windows.forEach((subject, window) -> {
            boolean idle;
            synchronized (window) {
                idle = window.pending == 0 && window.inFlight == 0;
            }
            if (window.id < currentWindow && idle) {
                windows.remove(subject, window); // its counter expires in Redis by itself
            } else if (!idle || all || (window.id == currentWindow && now - window.lastUsed < staleAfterMillis)) {
                due.add(window);
            }
        });
        return due.isEmpty() ? Uni.createFrom().voidItem() : syncBatch(due);
    }

    private Uni<Void> syncBatch(List<Window> batch) {
        List<Request> commands = new ArrayList<>(batch.size() * 2);
        long[] sent = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Window window = batch.get(i);
            synchronized (window) {
                sent[i] = window.pending;
                window.inFlight += window.pending;
                window.pending = 0;
            }
            commands.add(Request.cmd(Command.INCRBY).arg(window.key).arg(sent[i]));
            // the counter outlives its window by a second, for replicas whose clocks run a little behind
            commands.add(Request.cmd(Command.PEXPIREAT).arg(window.key).arg(window.endsAt + 1000));
        }
        return redis.batch(commands)
                .ifNoItem().after(redisTimeout).fail()
                .onItemOrFailure().invoke((responses, failure) -> {
                    for (int i = 0; i < batch.size(); i++) {
                        Window window = batch.get(i);
                        Response total = failure == null ? responses.get(2 * i) : null;
                        synchronized (window) {
                            window.inFlight -= sent[i];
                            // a failed attempt counts too: the next requests go on unchecked rather than
                            // each waiting for Redis again; the periodic sync keeps trying
                            window.lastSync = clock.getAsLong();
                            if (total == null) {
                                window.pending += sent[i]; // sent again with the next sync
                                window.healthy = false;
                            } else {
                                window.known = Math.max(window.known, total.toLong());
                                window.healthy = true;
                            }
                        }
                    }
                    if (failure != null) {
                        warn(failure);
                    }
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void warn(Throwable failure) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warnf("rate limit not enforced: Redis failed (%s); requests pass unchecked until it answers again",
                    failure.toString());
        }
    }

    /** One subject's window on this replica. Counters are guarded by the object's monitor. */
    private static final class Window {
        final String key;
        final long id;
        final long endsAt;
        /** The window's total over all replicas at the last sync (this replica's sent requests included). */
        long known;
        /** Admitted here, in a batch that has not been answered yet. */
        long inFlight;
        /** Admitted here since the last batch was sent. */
        long pending;
        boolean healthy = true;
        long lastUsed;
        long lastSync = Long.MIN_VALUE;
        private Uni<Void> syncing;

        Window(String key, long id, long endsAt) {
            this.key = key;
            this.id = id;
            this.endsAt = endsAt;
        }

        /** Null when the window can decide now; otherwise the (shared) synchronous sync to wait for. */
        // lastSync: the last attempt, answered or failed
        synchronized Uni<Void> readyFor(long now, long staleAfter, java.util.function.Supplier<Uni<Void>> sync) {
            if (lastSync != Long.MIN_VALUE && now - lastSync < staleAfter) {
                return null;
            }
            if (syncing == null) {
                Uni<Void> started = Uni.createFrom().<Void>deferred(sync::get).memoize().indefinitely();
                syncing = started;
                return started.invoke(() -> clearSyncing(started));
            }
            return syncing;
        }

        private synchronized void clearSyncing(Uni<Void> finished) {
            if (syncing == finished) {
                syncing = null;
            }
        }
    }
}
