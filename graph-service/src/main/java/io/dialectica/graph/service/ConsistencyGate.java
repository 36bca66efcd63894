package io.dialectica.graph.service;

import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.config.GraphConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * Read-your-writes (docs/events.md, "Consistency tokens"): a read carrying {@code X-Consistency-Token}
 * waits until the projection covers it, at most {@code dialectica.graph.consistency-wait}; then it fails
 * with 504 {@code projection-behind} and {@code Retry-After: 1}. Waiting is a completion stage (no
 * thread blocks); what follows resumes on a worker, never on the projector's thread.
 */
@ApplicationScoped
public class ConsistencyGate {

    private final ProjectionProgress progress;
    private final GraphQueries queries;
    private final Duration wait;

    public ConsistencyGate(ProjectionProgress progress, GraphQueries queries, GraphConfig config) {
        this.progress = progress;
        this.queries = queries;
        this.wait = config.consistencyWait();
    }

    /** One concept's read: its own group applied (exact), or the low watermark past the token. */
    public Uni<Void> forConcept(String id, String token) {
        if (token == null || progress.coversKey(id, 0, token)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> queries.appliedLsn(id))
                .chain(stored -> awaiting(() -> progress.coversKey(id, stored, token), token));
    }

    /** A read across concepts: the low watermark past the token. */
    public Uni<Void> forAll(String token) {
        if (token == null || progress.coversAll(token)) {
            return Uni.createFrom().voidItem();
        }
        return awaiting(() -> progress.coversAll(token), token);
    }

    private Uni<Void> awaiting(java.util.function.BooleanSupplier condition, String token) {
        return Uni.createFrom().completionStage(() -> progress.await(condition, wait))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(covered -> {
                    if (!covered) {
                        throw GraphProblems.projectionBehind(Lsn.format(Lsn.parse(token)), wait.toMillis() + " ms");
                    }
                    return null;
                });
    }
}
