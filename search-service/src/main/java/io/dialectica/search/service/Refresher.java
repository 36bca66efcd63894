package io.dialectica.search.service;

import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.index.OpenSearchException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Explicit refreshes of the live concept index for token readers, <b>coalesced</b>: at most one in flight and one
 * queued per replica. A caller gets a refresh that <i>starts after</i> its call (what it needs: everything
 * acknowledged before the call becomes searchable): the one just starting, or the queued one that starts when the
 * one in flight ends; any number of readers share them. Every completed refresh bumps the hot-query cache's
 * generation (an entry computed before it is never served again).
 */
@ApplicationScoped
public class Refresher {

    private final OpenSearch os;
    private final SearchConfig config;
    private final SearchCache cache;
    private final Timer refreshes;
    private final Object lock = new Object();
    private CompletableFuture<Void> inFlight;
    private CompletableFuture<Void> queued;

    public Refresher(OpenSearch os, SearchConfig config, SearchCache cache, MeterRegistry registry) {
        this.os = os;
        this.config = config;
        this.cache = cache;
        this.refreshes = Timer.builder("dialectica.search.refresh").tag("origin", "reader")
                .description("Refreshes of the concept index and how long they took (reader: for token reads)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }

    /** Completes when a refresh that started after this call has completed. */
    public Uni<Void> refresh() {
        return Uni.createFrom().completionStage(this::request);
    }

    private CompletableFuture<Void> request() {
        synchronized (lock) {
            if (inFlight == null) {
                inFlight = start();
                return inFlight;
            }
            if (queued == null) {
                queued = new CompletableFuture<>();
            }
            return queued;
        }
    }

    /** Called with the lock held. */
    private CompletableFuture<Void> start() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long started = System.nanoTime();
        os.send("POST", "/" + config.index().alias() + "/_refresh", null)
                .call(reply -> reply.ok() ? cache.bumpAsync() : Uni.createFrom().voidItem())
                .subscribe().with(reply -> {
                    refreshes.record(Duration.ofNanos(System.nanoTime() - started));
                    if (reply.ok()) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(new OpenSearchException("refresh: HTTP " + reply.status(),
                                reply.status()));
                    }
                }, done::completeExceptionally);
        done.whenComplete((ignored, failure) -> next());
        return done;
    }

    private void next() {
        CompletableFuture<Void> waiting;
        CompletableFuture<Void> started;
        synchronized (lock) {
            waiting = queued;
            queued = null;
            if (waiting == null) {
                inFlight = null;
                return;
            }
            inFlight = start();
            started = inFlight;
        }
        started.whenComplete((ok, failure) -> {
            if (failure != null) {
                waiting.completeExceptionally(failure);
            } else {
                waiting.complete(null);
            }
        });
    }
}
