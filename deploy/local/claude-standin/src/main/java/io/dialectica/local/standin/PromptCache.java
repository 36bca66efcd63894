package io.dialectica.local.standin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prompt caching as the Messages API documents it ("Prompt caching"): a request's blocks are rendered in
 * order — {@code system}, then every message's content blocks — and a block carrying {@code cache_control}
 * is a <b>breakpoint</b>: the prefix up to and including it may be cached. For each breakpoint the cache is
 * looked up at that block boundary and at up to {@link #LOOKBACK} − 1 boundaries before it; the longest
 * cached prefix found is <b>read</b> ({@code cache_read_input_tokens}) and its lifetime starts again (a
 * "5m" entry lives 5 minutes from its last use, "1h" an hour). Every breakpoint after the read prefix whose
 * prefix holds at least the model's minimum cacheable length is <b>written</b>
 * ({@code cache_creation_input_tokens}: the tokens from the end of the read prefix to the last written
 * breakpoint; shorter prefixes are silently not cached). The rest is {@code input_tokens}. A prefix is
 * identified by the model and the exact content of its blocks (SHA-256 chained block by block), so one
 * changed byte early in the prompt misses every later breakpoint.
 */
final class PromptCache {

    /** Boundaries looked at per breakpoint, the breakpoint's own included (the API's documented lookback). */
    static final int LOOKBACK = 20;
    /** Most breakpoints one request may carry. */
    static final int MAX_BREAKPOINTS = 4;
    private static final int MAX_ENTRIES = 100_000;

    /** One rendered block: its canonical content (without cache_control), its tokens, its breakpoint TTL or null. */
    record Block(String canonical, long tokens, String ttl) {
    }

    /** What a request's input tokens were, by kind. */
    record Usage(long inputTokens, long cacheCreationInputTokens, long cacheReadInputTokens, long creation5m,
            long creation1h) {
        long total() {
            return inputTokens + cacheCreationInputTokens + cacheReadInputTokens;
        }
    }

    private record Entry(long expiresAtMs, long lifetimeMs) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long fiveMinutesMs;
    private final long oneHourMs;
    private final long minTokensOverride;

    /**
     * @param fiveMinutesMs     the lifetime of a "5m" entry (300 000; tests shorten it)
     * @param minTokensOverride the minimum cacheable length for every model, or 0 for the documented per-model
     *                          minimum ({@link #minTokens(String)})
     */
    PromptCache(long fiveMinutesMs, long minTokensOverride) {
        this.fiveMinutesMs = fiveMinutesMs;
        this.oneHourMs = fiveMinutesMs * 12;
        this.minTokensOverride = minTokensOverride;
    }

    /**
     * The documented minimum cacheable prompt length: 4096 tokens for Claude Opus 4.5/4.6 and Haiku 4.5, 2048 for
     * Haiku 3.5 and Haiku 3, 1024 for the others (Sonnet 4.5, Sonnet 4, Opus 4.1, Opus 4, Sonnet 3.7, ...).
     */
    long minTokens(String model) {
        if (minTokensOverride > 0) {
            return minTokensOverride;
        }
        String m = model.toLowerCase(Locale.ROOT);
        if (m.startsWith("claude-opus-4-5") || m.startsWith("claude-opus-4-6") || m.startsWith("claude-haiku-4-5")) {
            return 4096;
        }
        if (m.startsWith("claude-3-5-haiku") || m.startsWith("claude-haiku-3") || m.startsWith("claude-3-haiku")) {
            return 2048;
        }
        return 1024;
    }

    long lifetimeMs(String ttl) {
        return "1h".equals(ttl) ? oneHourMs : fiveMinutesMs;
    }

    /** Looks the request's prefixes up, refreshes what it reads, writes its breakpoints; returns the usage. */
    Usage apply(String model, List<Block> blocks, long nowMs) {
        int n = blocks.size();
        List<String> hashes = new ArrayList<>(n);
        long[] prefixTokens = new long[n];
        String previous = "model:" + model;
        long sum = 0;
        for (int i = 0; i < n; i++) {
            previous = sha256(previous + "\u0000" + blocks.get(i).canonical());
            hashes.add(previous);
            sum += blocks.get(i).tokens();
            prefixTokens[i] = sum;
        }
        long total = sum;
        // read: the longest cached prefix at a breakpoint or within the lookback before one
        int read = -1;
        for (int b = 0; b < n; b++) {
            if (blocks.get(b).ttl() == null) {
                continue;
            }
            for (int j = b; j >= Math.max(0, b - LOOKBACK + 1) && j > read; j--) {
                Entry e = entries.get(hashes.get(j));
                if (e != null && e.expiresAtMs() > nowMs) {
                    read = j;
                    break;
                }
            }
        }
        if (read >= 0) {
            String key = hashes.get(read);
            Entry e = entries.get(key);
            if (e != null) {
                entries.put(key, new Entry(nowMs + e.lifetimeMs(), e.lifetimeMs()));
            }
        }
        long readTokens = read >= 0 ? prefixTokens[read] : 0;
        // write: the breakpoints after the read prefix that are long enough
        long min = minTokens(model);
        long creation5m = 0;
        long creation1h = 0;
        long writtenUpTo = readTokens;
        for (int b = read + 1; b < n; b++) {
            String ttl = blocks.get(b).ttl();
            if (ttl == null || prefixTokens[b] < min) {
                continue;
            }
            long lifetime = lifetimeMs(ttl);
            entries.put(hashes.get(b), new Entry(nowMs + lifetime, lifetime));
            long added = prefixTokens[b] - writtenUpTo;
            if ("1h".equals(ttl)) {
                creation1h += added;
            } else {
                creation5m += added;
            }
            writtenUpTo = prefixTokens[b];
        }
        if (entries.size() > MAX_ENTRIES) {
            evictExpired(nowMs);
        }
        long creation = creation5m + creation1h;
        return new Usage(total - readTokens - creation, creation, readTokens, creation5m, creation1h);
    }

    int size() {
        return entries.size();
    }

    void clear() {
        entries.clear();
    }

    private void evictExpired(long nowMs) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext();) {
            if (it.next().getValue().expiresAtMs() <= nowMs) {
                it.remove();
            }
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
