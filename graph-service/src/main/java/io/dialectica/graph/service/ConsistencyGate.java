package io.dialectica.graph.service;

import io.dialectica.contracts.Lsn;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.progress.StoreProgress;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Read-your-writes (docs/events.md, "Consistency tokens"): a read carrying {@code X-Consistency-Token}
 * waits until the projection covers it, at most {@code dialectica.graph.consistency-wait}; then it fails
 * with 504 {@code projection-behind} and {@code Retry-After: 1}. Waiting is a completion stage (no
 * thread blocks); what follows resumes on a worker, never on the projector's thread.
 *
 * <p>Decided against {@link StoreProgress}, the positions Neo4j holds, not against what this replica's own
 * projector consumed: any replica answers a token correctly, whichever replica applied the write. A token the
 * cached view already covers costs nothing; otherwise a one-concept read asks Neo4j for that concept's applied
 * LSN once, and then the view is read again while the reader waits (slowly while this replica owns every
 * partition, {@link StoreProgress#ownsEveryPartition()}).
 */
@ApplicationScoped
public class ConsistencyGate {

    private final StoreProgress view;
    private final GraphQueries queries;
    private final Duration wait;

    public ConsistencyGate(StoreProgress view, GraphQueries queries, GraphConfig config) {
        this.view = view;
        this.queries = queries;
        this.wait = config.consistencyWait();
    }

    /** One concept's read: its own group applied (exact), or the low watermark past the token. */
    public Uni<Void> forConcept(String id, String token) {
        if (token == null) {
            return Uni.createFrom().voidItem();
        }
        long wanted = Lsn.parse(token);
        if (view.coversKey(id, wanted)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> queries.appliedLsn(id))
                .chain(stored -> {
                    view.applied(id, stored);
                    return awaiting(() -> view.coversKey(id, wanted), id, wanted);
                });
    }

    /** A read across concepts: the low watermark past the token. */
    public Uni<Void> forAll(String token) {
        if (token == null) {
            return Uni.createFrom().voidItem();
        }
        long wanted = Lsn.parse(token);
        if (view.coversAll(wanted)) {
            return Uni.createFrom().voidItem();
        }
        return awaiting(() -> view.coversAll(wanted), null, wanted);
    }

    private Uni<Void> awaiting(BooleanSupplier condition, String key, long wanted) {
        if (condition.getAsBoolean()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> view.await(condition, wait, key))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(covered -> {
                    if (!covered) {
                        throw GraphProblems.projectionBehind(Lsn.format(wanted), wait.toMillis() + " ms");
                    }
                    return null;
                });
    }
}
