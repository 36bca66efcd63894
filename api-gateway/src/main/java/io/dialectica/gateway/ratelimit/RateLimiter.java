package io.dialectica.gateway.ratelimit;

import io.dialectica.gateway.config.GatewayConfig;
import io.dialectica.gateway.observability.GatewayMetrics;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-subject fixed-window rate limit in Redis. One key per subject counts the requests of the
 * current window and expires with it; the increment and the expiry are one Lua script, so
 * concurrent requests on any number of gateway replicas count exactly and no key outlives its
 * window.
 *
 * <p>If Redis fails or is slower than {@code gateway.rate-limit.redis-timeout}, the request is let
 * through: the limit protects the backends from one greedy caller, and refusing every caller
 * because the counter store is down would be the larger outage. Each such request is counted
 * ({@code gateway_ratelimit_store_errors_total}) and logged at most every 30 s.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    /**
     * KEYS[1] the subject's counter, ARGV[1] the window in ms. Returns {count, ms left in window}.
     * A counter found without expiry (should never happen) gets one, so it cannot block forever.
     */
    static final String SCRIPT = """
            local count = redis.call('INCR', KEYS[1])
            local ttl = redis.call('PTTL', KEYS[1])
            if count == 1 or ttl < 0 then
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
              ttl = tonumber(ARGV[1])
            end
            return {count, ttl}
            """;

    private static final long WARN_EVERY_NANOS = 30_000_000_000L;

    private final ReactiveRedisDataSource redis;
    private final GatewayConfig.RateLimit config;
    private final GatewayMetrics metrics;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    public RateLimiter(ReactiveRedisDataSource redis, GatewayConfig config, GatewayMetrics metrics) {
        this.redis = redis;
        this.config = config.rateLimit();
        this.metrics = metrics;
    }

    public boolean enabled() {
        return config.enabled();
    }

    public Uni<RateLimitDecision> check(String subject) {
        int limit = config.requests();
        String window = Long.toString(config.window().toMillis());
        return redis.execute("EVAL", SCRIPT, "1", config.keyPrefix() + subject, window)
                .ifNoItem().after(config.redisTimeout()).fail()
                .map(response -> decide(response, limit))
                .onFailure().recoverWithItem(failure -> {
                    metrics.rateLimitStoreError();
                    warn(failure);
                    return RateLimitDecision.unchecked(limit);
                });
    }

    private static RateLimitDecision decide(Response response, int limit) {
        long count = response.get(0).toLong();
        long millisLeft = Math.max(0, response.get(1).toLong());
        int remaining = (int) Math.max(0, limit - count);
        long retryAfter = Math.max(1, (millisLeft + 999) / 1000);
        return new RateLimitDecision(count <= limit, limit, remaining, retryAfter, true);
    }

    private void warn(Throwable failure) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warnf("rate limit not enforced: Redis failed (%s); requests pass unchecked until it answers again",
                    failure.toString());
        }
    }
}
