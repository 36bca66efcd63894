package io.dialectica.worker.ratelimit;

import io.dialectica.worker.config.WorkerConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The account's limits, shared by every replica through Redis (scripts in {@code lua/}):
 * <ul>
 * <li><b>requests</b>: spaced {@code window / limit × (1 + margin)} apart (GCRA without burst), and
 * never more than the limit in any window (a sliding log as a second guard). Spacing also bounds every
 * 1-second window to the per-second share of the limit, the way the API itself enforces it. Slots are
 * <b>reserved ahead</b>: an acquire takes the next free slot time {@code T = max(now, TAT)} and moves
 * TAT on at once, so the schedule does not depend on when waiters ask; the caller sleeps until
 * {@link Reservation#sendAtNanos()} and sends then. A slot further ahead than {@code reserve-horizon} is
 * not taken (the caller backs off and asks again); a reserved slot that is not used is simply lost;</li>
 * <li><b>output tokens</b>: a sliding log of reservations; {@code max_tokens} is reserved before the
 * call and corrected to the actual output tokens after it;</li>
 * <li><b>blocked-until</b>: a retry-after or an exhausted {@code anthropic-ratelimit-*} budget from the
 * API holds every replica back until then.</li>
 * </ul>
 * Keys (prefix {@code dialectica.worker.ratelimit.key-prefix}): {@code <prefix>:req-tat},
 * {@code <prefix>:req-log}, {@code <prefix>:tok-log}, {@code <prefix>:tok}, {@code <prefix>:blocked};
 * all expire after two windows of inactivity.
 */
@ApplicationScoped
public class RateLimiter {

    private static final String ACQUIRE = load("acquire");
    private static final String SETTLE = load("settle");
    private static final String BLOCK = load("block");

    private final RedisDataSource redis;
    private final WorkerConfig.RateLimit config;
    private final String[] keys;
    private final long spacingMs;
    private final long horizonMs;
    private final long toleranceNanos;
    private final AtomicLong requestsInWindow = new AtomicLong();
    private final AtomicLong tokensInWindow = new AtomicLong();
    /** Local hint for the consumer's backpressure: System.nanoTime() until which the limiter said wait. */
    private final AtomicLong waitUntilNanos = new AtomicLong(System.nanoTime());

    @jakarta.inject.Inject
    public RateLimiter(RedisDataSource redis, WorkerConfig config) {
        this(redis, config.ratelimit());
    }

    /** With explicit limits (tests use short windows). */
    public RateLimiter(RedisDataSource redis, WorkerConfig.RateLimit limits) {
        this.redis = redis;
        this.config = limits;
        String p = this.config.keyPrefix();
        this.keys = new String[] { p + ":req-tat", p + ":req-log", p + ":tok-log", p + ":tok", p + ":blocked" };
        double spacing = (double) this.config.window().toMillis() / this.config.requestsPerMinute()
                * (1 + this.config.margin());
        this.spacingMs = (long) Math.ceil(spacing);
        this.horizonMs = Math.max(spacingMs, this.config.reserveHorizon().toMillis());
        this.toleranceNanos = Math.max(1_000_000L, (long) (spacing * this.config.grantTolerance() * 1_000_000L));
    }

    /**
     * A granted reservation (its id corrects the token count later). {@code atMs}: the slot, Redis time;
     * {@code sendAtNanos}: the same instant on this JVM's {@link System#nanoTime()} clock (taken when the
     * answer arrived, so at most one Redis round trip late); {@code staleAfterNanos}: the request must have
     * left by then, else the slot is given up and a new one reserved.
     */
    public record Reservation(String id, int tokens, long atMs, long sendAtNanos, long staleAfterNanos) {
        /** Time left until the slot (zero or negative when it has come). */
        public Duration untilSlot() {
            return Duration.ofNanos(sendAtNanos - System.nanoTime());
        }

        /** True when the request can no longer leave close enough to its slot. */
        public boolean stale() {
            return System.nanoTime() - staleAfterNanos > 0;
        }
    }

    /** The answer of one attempt to reserve: granted, or how long to wait before asking again. */
    public record Decision(Reservation reservation, Duration waitFor) {
        public boolean granted() {
            return reservation != null;
        }
    }

    /**
     * One attempt to reserve the next request slot and {@code tokens} output tokens; never blocks. Granted:
     * the caller waits until {@link Reservation#sendAtNanos()}; refused: {@code waitFor} says when to ask again.
     */
    public Decision tryAcquire(int tokens) {
        String id = UUID.randomUUID().toString();
        List<String> args = new ArrayList<>(List.of(ACQUIRE, "5"));
        args.addAll(List.of(keys));
        args.addAll(List.of(id, String.valueOf(tokens), String.valueOf(config.requestsPerMinute()),
                String.valueOf(config.outputTokensPerMinute()), String.valueOf(config.window().toMillis()),
                String.valueOf(spacingMs), String.valueOf(horizonMs)));
        Response r = redis.execute("EVAL", args.toArray(String[]::new));
        long answered = System.nanoTime();
        long granted = r.get(0).toLong();
        long waitMs = r.get(1).toLong();
        requestsInWindow.set(r.get(2).toLong());
        tokensInWindow.set(r.get(3).toLong());
        if (granted < 0) {
            throw new IllegalArgumentException("max_tokens " + tokens + " exceeds the output-token limit per window "
                    + config.outputTokensPerMinute());
        }
        if (granted == 1) {
            long sendAt = answered + waitMs * 1_000_000L;
            return new Decision(new Reservation(id, tokens, r.get(4).toLong(), sendAt, sendAt + toleranceNanos),
                    Duration.ZERO);
        }
        waitUntilNanos.set(answered + Duration.ofMillis(waitMs).toNanos());
        return new Decision(null, Duration.ofMillis(waitMs));
    }

    /** Corrects a reservation to the output tokens actually produced. */
    public void settle(Reservation reservation, int actualTokens) {
        if (reservation == null || actualTokens >= reservation.tokens()) {
            return;
        }
        redis.execute("EVAL", SETTLE, "2", keys[2], keys[3], reservation.id(),
                String.valueOf(Math.max(0, actualTokens)));
    }

    /** Every replica holds back for {@code duration} (retry-after, exhausted API budget). */
    public void blockFor(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        redis.execute("EVAL", BLOCK, "1", keys[4], String.valueOf(duration.toMillis()));
        waitUntilNanos.accumulateAndGet(System.nanoTime() + duration.toNanos(), Math::max);
    }

    /** How long the last answer told this replica to wait, from now (for the consumer's pause decision). */
    public Duration localWaitHint() {
        long left = waitUntilNanos.get() - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    public long requestsInWindow() {
        return requestsInWindow.get();
    }

    public long tokensInWindow() {
        return tokensInWindow.get();
    }

    public long spacingMs() {
        return spacingMs;
    }

    public long horizonMs() {
        return horizonMs;
    }

    public List<String> keys() {
        return List.of(keys);
    }

    private static String load(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = RateLimiter.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
