package io.dialectica.gateway.security;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The cache of verified tokens: what it remembers, and for how long. */
class VerifiedTokensTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

    @Test
    void remembersAVerifiedTokenForItsTtl() {
        VerifiedTokens tokens = new VerifiedTokens(30_000, 100, now::get);
        tokens.remember("token-a", "alice", 0);
        assertEquals("alice", tokens.subject("token-a"));
        now.addAndGet(29_999);
        assertEquals("alice", tokens.subject("token-a"));
        now.addAndGet(1);
        assertNull(tokens.subject("token-a"), "past the TTL the token must be verified again");
    }

    @Test
    void neverOutlivesTheTokensOwnExpiry() {
        VerifiedTokens tokens = new VerifiedTokens(30_000, 100, now::get);
        long exp = now.get() / 1000 + 5;   // the token expires in 5 s, long before the TTL
        tokens.remember("token-b", "bob", exp);
        now.addAndGet(4_999);
        assertEquals("bob", tokens.subject("token-b"));
        now.addAndGet(1);
        assertNull(tokens.subject("token-b"), "an expired token must not be served from the cache");
    }

    @Test
    void anAlreadyExpiredTokenIsNotRemembered() {
        VerifiedTokens tokens = new VerifiedTokens(30_000, 100, now::get);
        tokens.remember("token-c", "carol", now.get() / 1000 - 1);
        assertNull(tokens.subject("token-c"));
        assertEquals(0, tokens.size());
    }

    @Test
    void distinctTokensKeepDistinctSubjects() {
        VerifiedTokens tokens = new VerifiedTokens(30_000, 100, now::get);
        tokens.remember("token-d", "dave", 0);
        tokens.remember("token-e", "erin", 0);
        assertEquals("dave", tokens.subject("token-d"));
        assertEquals("erin", tokens.subject("token-e"));
        assertNull(tokens.subject("token-d2"), "a token never seen is never a hit");
    }

    @Test
    void aTtlOfZeroTurnsTheCacheOff() {
        VerifiedTokens tokens = new VerifiedTokens(0, 100, now::get);
        tokens.remember("token-f", "frank", 0);
        assertNull(tokens.subject("token-f"));
        assertEquals(1, tokens.verifications());
    }

    @Test
    void staysWithinItsBound() {
        VerifiedTokens tokens = new VerifiedTokens(30_000, 10, now::get);
        for (int i = 0; i < 25; i++) {
            tokens.remember("token-" + i, "user-" + i, 0);
        }
        org.junit.jupiter.api.Assertions.assertTrue(tokens.size() <= 10, "size " + tokens.size());
        assertEquals("user-24", tokens.subject("token-24"), "the newest token is kept");
    }
}
