package io.dialectica.e2e.convergence;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** A store that holds a projection of the concept tables, read as {@link ConceptImage}s. */
public interface Projection extends AutoCloseable {

    /** Short name used in reports: {@code neo4j}, {@code search}. */
    String store();

    /** The attributes this store projects (others are not compared). */
    Profile profile();

    /** The images of these concepts; a concept the store lacks (or holds as a tombstone) is {@link ConceptImage#absent}. */
    Map<String, ConceptImage> read(Collection<String> conceptIds);

    /** Every concept the store holds as present (not tombstoned): for the full check. */
    Set<String> presentIds();

    @Override
    void close();

    /** Attribute names compared at each level (names as in {@link PostgresTruth}). */
    record Profile(Set<String> concept, Set<String> membership, Set<String> relation) {
    }
}
