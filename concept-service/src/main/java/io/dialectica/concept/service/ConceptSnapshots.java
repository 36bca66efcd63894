package io.dialectica.concept.service;

import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.model.Concept;
import io.dialectica.concept.repository.MembershipRepository;
import io.dialectica.concept.repository.RelationRepository;
import io.dialectica.concept.rest.dto.ConceptView;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Reads a concept's whole graph, and closes a change: new quality score, next version. */
@ApplicationScoped
public class ConceptSnapshots {

    // read inside the writing transaction, after its last statement: at or before its commit record
    private static final String WAL_POSITION = "select cast(pg_current_wal_insert_lsn() as text)";

    @Inject
    MembershipRepository memberships;

    @Inject
    RelationRepository relations;

    public Uni<ConceptView> view(Concept concept) {
        return memberships.listByConcept(concept.id).chain(members -> relations.listByConcept(concept.id)
                .map(edges -> ConceptMapper.toView(concept, members, edges)));
    }

    /**
     * Flushes pending writes, recomputes the quality score from what is now stored, and (unless the
     * concept is new) moves it to its next version. Returns the concept as it will be committed.
     */
    public Uni<Change<ConceptView>> finishChange(Concept concept, boolean isNew) {
        return Panache.flush()
                .chain(() -> memberships.listByConcept(concept.id))
                .chain(members -> relations.listByConcept(concept.id).map(edges -> {
                    concept.qualityScore = QualityScore.of(concept.description, members.size(),
                            edges.stream().map(e -> new QualityScore.Edge(e.fromCategoryId, e.toCategoryId,
                                    e.rationale != null)).toList());
                    if (!isNew) {
                        concept.touch(now());
                    }
                    return ConceptMapper.toView(concept, members, edges);
                }))
                .chain(view -> consistencyToken().map(token -> new Change<>(view, view.version(), token)));
    }

    /** Flushes pending writes and returns the WAL position they reached (see {@link Change}). */
    public Uni<String> consistencyToken() {
        return Panache.flush().chain(() -> Panache.getSession())
                .chain(session -> session.createNativeQuery(WAL_POSITION, String.class).getSingleResult());
    }

    /** Microseconds: what PostgreSQL stores, so the response equals a later read. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
