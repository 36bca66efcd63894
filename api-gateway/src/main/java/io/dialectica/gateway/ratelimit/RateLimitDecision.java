package io.dialectica.gateway.ratelimit;

/**
 * The outcome of counting one request: whether it may pass, what is left of the window and, when
 * refused, how many seconds until the window resets. {@code checked == false} means Redis could not
 * be asked and the request was let through (fail open).
 */
public record RateLimitDecision(boolean allowed, int limit, int remaining, long retryAfterSeconds, boolean checked) {

    public static RateLimitDecision unchecked(int limit) {
        return new RateLimitDecision(true, limit, limit, 0, false);
    }
}
