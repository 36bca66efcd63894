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
 * 1-second window to the per-second share of the limit, the way the API itself enforces it;</li>
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
    }

    /** A granted reservation (its id corrects the token count later); {@code atMs}: Redis time of the grant. */
    public record Reservation(String id, int tokens, long atMs) {
    }

    /** The answer of one attempt to reserve: granted, or how long to wait before asking again. */
    public record Decision(Reservation reservation, Duration waitFor) {
        public boolean granted() {
            return reservation != null;
        }
    }

    /** One attempt to reserve a request and {@code tokens} output tokens; never blocks. */
    public Decision tryAcquire(int tokens) {
        String id = UUID.randomUUID().toString();
        List<String> args = new ArrayList<>(List.of(ACQUIRE, "5"));
        args.addAll(List.of(keys));
        args.addAll(List.of(id, String.valueOf(tokens), String.valueOf(config.requestsPerMinute()),
                String.valueOf(config.outputTokensPerMinute()), String.valueOf(config.window().toMillis()),
                String.valueOf(spacingMs)));
        Response r = redis.execute("EVAL", args.toArray(String[]::new));
        long granted = r.get(0).toLong();
        long waitMs = r.get(1).toLong();
        requestsInWindow.set(r.get(2).toLong());
        tokensInWindow.set(r.get(3).toLong());
        if (granted < 0) {
            throw new IllegalArgumentException("max_tokens " + tokens + " exceeds the output-token limit per window "
                    + config.outputTokensPerMinute());
        }
        if (granted == 1) {
            return new Decision(new Reservation(id, tokens, r.get(4).toLong()), Duration.ZERO);
        }
        waitUntilNanos.set(System.nanoTime() + Duration.ofMillis(waitMs).toNanos());
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
