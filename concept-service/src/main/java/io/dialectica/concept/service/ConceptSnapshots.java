package io.dialectica.concept.service;

import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.PipelinedTransaction;
import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.concept.repository.StoredConcept.Member;
import io.dialectica.concept.repository.StoredConcept.Relation;
import io.dialectica.service.security.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Reads a concept's whole graph (one query), and runs a change of an existing concept in two round trips:
 * (1) BEGIN, the row lock and the read of the graph, pipelined — the read starts once the lock is held, so it
 * sees the last committed version; (2) after the checks (404, 403, 428, 412) and the change worked out in
 * memory, the change's statements, the concept's next version with its quality score (which answers with the
 * consistency token) and COMMIT, pipelined. Nothing the transaction already knows is read again.
 */
@ApplicationScoped
public class ConceptSnapshots {

    /** A change of a concept read under its row lock, after the checks passed. */
    @FunctionalInterface
    public interface Work<T> {
        Future<T> apply(PipelinedTransaction tx, StoredConcept current);
    }

    @Inject
    ConceptStore store;

    /** The concept if the caller may see it, else 404. */
    public Uni<StoredConcept> visible(Caller caller, UUID id) {
        return Uni.createFrom().completionStage(() -> store.read(store.reads(), id).toCompletionStage())
                .map(concept -> ConceptAccess.visible(caller, id, concept));
    }

    /** Locks and reads the concept, checks the caller and If-Match, then runs {@code work} in the same transaction. */
    public <T> Uni<T> change(Caller caller, UUID id, String ifMatch, boolean ifMatchRequired, Work<T> work) {
        return Uni.createFrom().completionStage(() -> store.inTransaction(tx -> {
            store.lock(tx, id);
            Future<StoredConcept> current = store.read(tx, id);
            return tx.answers().compose(ignored -> {
                ConceptAccess.checkChange(caller, id, current.result(), ifMatch, ifMatchRequired);
                return work.apply(tx, current.result());
            });
        }).toCompletionStage());
    }

    /**
     * Closes a change: writes the concept's next version with the caller as its author (last statement: its answer
     * is the consistency token) and commits, pipelined with the change's statements. Answers with the token.
     */
    public Future<String> finish(PipelinedTransaction tx, Caller caller, StoredConcept.Row next) {
        Future<String> token = store.updateConcept(tx, next, caller.subject());
        return tx.commit().map(ignored -> token.result());
    }

    /** The row of the concept's next version: same fields, a new quality score, version + 1, modified now. */
    public static StoredConcept.Row nextVersion(StoredConcept.Row row, double qualityScore) {
        return nextVersion(row, row.name(), row.description(), row.tradition(), row.visibility(), qualityScore);
    }

    public static StoredConcept.Row nextVersion(StoredConcept.Row row, String name, String description, String tradition,
            Visibility visibility, double qualityScore) {
        return new StoredConcept.Row(row.id(), row.owner(), name, description, tradition, visibility, qualityScore,
                row.version() + 1, row.createdAt(), now());
    }

    /** The quality score of a concept with this description, these memberships and relations. */
    public static double qualityScore(String description, List<Member> members, List<Relation> relations) {
        return QualityScore.of(description, members.size(), relations.stream()
                .map(r -> new QualityScore.Edge(r.fromCategoryId(), r.toCategoryId(), r.rationale() != null)).toList());
    }

    /** Microseconds: what PostgreSQL stores, so the response equals a later read. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
