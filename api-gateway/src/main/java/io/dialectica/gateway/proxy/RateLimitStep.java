package io.dialectica.gateway.proxy;

import io.dialectica.gateway.observability.GatewayMetrics;
import io.dialectica.gateway.problem.GatewayProblem;
import io.dialectica.gateway.ratelimit.RateLimitDecision;
import io.dialectica.gateway.ratelimit.RateLimiter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The caller's rate limit as every {@code /api} request meets it, proxied ({@link ProxyHandler}) or answered by the
 * gateway itself ({@link ExportHandler}): one request of the subject's window, 429 with {@code Retry-After} past it,
 * and the {@code X-RateLimit-*} headers on the answer.
 */
@ApplicationScoped
public class RateLimitStep {

    private final RateLimiter rateLimiter;
    private final GatewayMetrics metrics;

    public RateLimitStep(RateLimiter rateLimiter, GatewayMetrics metrics) {
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
    }

    /** The decision for one request of {@code subject} (null when the limiter is off); a refusal fails with the 429. */
    public Uni<RateLimitDecision> check(String subject) {
        if (!rateLimiter.enabled()) {
            return Uni.createFrom().nullItem();
        }
        return rateLimiter.check(subject).invoke(decision -> {
            if (!decision.allowed()) {
                metrics.rateLimited();
                throw new GatewayProblem(429, "rate-limited", "Too Many Requests",
                        "at most " + decision.limit() + " requests per window; retry in "
                                + decision.retryAfterSeconds() + " s")
                        .header("Retry-After", Long.toString(decision.retryAfterSeconds()))
                        .header("X-RateLimit-Limit", Integer.toString(decision.limit()))
                        .header("X-RateLimit-Remaining", "0");
            }
        });
    }

    /** {@code X-RateLimit-Limit} and, when the count was checked, {@code X-RateLimit-Remaining}. */
    public static void headers(HttpServerResponse response, RateLimitDecision decision) {
        if (decision != null) {
            response.putHeader("X-RateLimit-Limit", Integer.toString(decision.limit()));
            if (decision.checked()) {
                response.putHeader("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
            }
        }
    }
}
