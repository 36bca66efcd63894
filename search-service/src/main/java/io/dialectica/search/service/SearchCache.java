package io.dialectica.search.service;

import io.dialectica.search.config.SearchConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hot-query cache in Redis.
 *
 * <p>Scheme: a <b>generation counter</b> ({@code <prefix>gen}) is part of every entry's key
 * ({@code <prefix>q:<gen>:<sha256 of the normalised request and the caller's visibility scope>}). The projector
 * increments it after its periodic refresh, and every replica after each refresh it makes for token readers; so
 * an entry computed from an older state of the index is never found again (it expires with its TTL). An entry
 * stored by a token read records the low watermark its own search answer proved (the progress documents of that
 * searcher); a read with a consistency token takes an entry only when that watermark covers the token, so even a
 * lost increment (Redis hiccup) cannot serve it a stale answer. Entries of reads without a token record 0.
 * Redis failures never fail a search: the cache is skipped.
 */
@ApplicationScoped
public class SearchCache {

    private static final Logger LOG = Logger.getLogger(SearchCache.class);

    /** What a lookup found: the generation to store under (null: do not store) and the entry, if any. */
    public record Lookup(String generation, Entry entry) {
        static final Lookup NONE = new Lookup(null, null);
    }

    /** A cached answer and the low watermark its search saw at least. */
    public record Entry(long watermark, String json) {
    }

    private final ReactiveRedisDataSource reactive;
    private final RedisDataSource blocking;
    private final SearchConfig.Cache config;

    public SearchCache(ReactiveRedisDataSource reactive, RedisDataSource blocking, SearchConfig config) {
        this.reactive = reactive;
        this.blocking = blocking;
        this.config = config.cache();
    }

    public boolean enabled() {
        return config.enabled();
    }

    public String generationKey() {
        return config.prefix() + "gen";
    }

    public Uni<Lookup> lookup(String request) {
        if (!config.enabled()) {
            return Uni.createFrom().item(Lookup.NONE);
        }
        var values = reactive.value(String.class);
        return values.get(generationKey())
                .map(gen -> gen == null ? "0" : gen)
                .chain(gen -> values.get(entryKey(gen, request)).map(value -> new Lookup(gen, parse(value))))
                .ifNoItem().after(config.timeout()).fail()
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("cache lookup skipped: %s", e.toString());
                    return Lookup.NONE;
                });
    }

    public Uni<Void> store(Lookup lookup, String request, long watermark, String json) {
        if (!config.enabled() || lookup.generation() == null) {
            return Uni.createFrom().voidItem();
        }
        return reactive.value(String.class)
                .setex(entryKey(lookup.generation(), request), Math.max(1, config.ttl().toSeconds()), watermark + "\n" + json)
                .ifNoItem().after(config.timeout()).fail()
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Called by the projector after a refresh made new writes searchable. Never throws. */
    public void bump() {
        if (!config.enabled()) {
            return;
        }
        try {
            blocking.value(String.class).incr(generationKey());
        } catch (RuntimeException e) {
            LOG.warnf("cache generation not bumped (%s): token reads stay exact, others may see entries up to %d s old",
                    e.getMessage(), config.ttl().toSeconds());
        }
    }

    /** The same as {@link #bump()} without blocking (token readers' refreshes); never fails. */
    public Uni<Void> bumpAsync() {
        if (!config.enabled()) {
            return Uni.createFrom().voidItem();
        }
        return reactive.value(String.class).incr(generationKey())
                .ifNoItem().after(config.timeout()).fail()
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    String entryKey(String generation, String request) {
        return config.prefix() + "q:" + generation + ":" + sha256(request);
    }

    private static Entry parse(String value) {
        if (value == null) {
            return null;
        }
        int newline = value.indexOf('\n');
        if (newline < 0) {
            return null;
        }
        try {
            return new Entry(Long.parseLong(value.substring(0, newline)), value.substring(newline + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
