package io.dialectica.gateway.security;

import io.dialectica.gateway.config.GatewayConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Subjects of bearer tokens verified recently, keyed by the SHA-256 of the token (the token itself is
 * never kept). A client sends the same token with every request for hours; verifying its RS256
 * signature each time was the largest single cost of a proxied read (docs/benchmarks.md, "Where the
 * gateway's time went"). Only successful verifications are remembered, so a forged or malformed
 * token pays the full check every time and can never be served from here.
 *
 * <p>An entry lives until the earlier of the token's own {@code exp} and {@code gateway.auth.token-cache-ttl}
 * after it was verified: an expired token is refused at once, and a token whose key was rotated out of
 * the issuer's key set (or whose issuer changed in configuration) stops being accepted within that TTL.
 * The map is bounded ({@code gateway.auth.token-cache-size}); when full, expired entries are swept and,
 * if none were, the cache is cleared — a crude but safe eviction (a miss only costs a verification).
 */
@ApplicationScoped
public class VerifiedTokens {

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlMillis;
    private final int maxEntries;
    private final LongSupplier clock;
    private final AtomicLong verifications = new AtomicLong();

    @Inject
    public VerifiedTokens(GatewayConfig config) {
        this(config.auth().tokenCacheTtl().toMillis(), config.auth().tokenCacheSize(), System::currentTimeMillis);
    }

    VerifiedTokens(long ttlMillis, int maxEntries, LongSupplier clock) {
        this.ttlMillis = ttlMillis;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /** The subject of a token verified within the TTL and not yet expired, or null. */
    public String subject(String token) {
        if (ttlMillis <= 0) {
            return null;
        }
        String key = key(token);
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.validUntil <= clock.getAsLong()) {
            entries.remove(key, entry);
            return null;
        }
        return entry.subject;
    }

    /** Remembers a token just verified; {@code expiresAtSeconds} is its {@code exp} claim (0: none). */
    public void remember(String token, String subject, long expiresAtSeconds) {
        verifications.incrementAndGet();
        if (ttlMillis <= 0) {
            return;
        }
        long now = clock.getAsLong();
        long until = now + ttlMillis;
        if (expiresAtSeconds > 0) {
            until = Math.min(until, expiresAtSeconds * 1000);
        }
        if (until <= now) {
            return;
        }
        if (entries.size() >= maxEntries) {
            sweep(now);
        }
        entries.put(key(token), new Entry(subject, until));
    }

    /** How many tokens were verified in full (cache misses that passed), for the metric and tests. */
    public long verifications() {
        return verifications.get();
    }

    int size() {
        return entries.size();
    }

    private void sweep(long now) {
        int before = entries.size();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (it.next().validUntil <= now) {
                it.remove();
            }
        }
        if (entries.size() >= maxEntries && entries.size() == before) {
            entries.clear();
        }
    }

    private static String key(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    private record Entry(String subject, long validUntil) {
    }
}
