package io.dialectica.graph.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The controlled vocabulary of relation types (the seed of {@code relation_types} in concept-service's
 * V1 migration). Each relation becomes a Neo4j relationship of exactly this type between two
 * {@code (:Category)} nodes. Cypher texts are built from these constants only: a type code read from
 * an event is looked up here and never spliced into a query. A code that is not listed is skipped by
 * the projector (warning + {@code dialectica_graph_relations_unknown_type_total}); adding a code to
 * relation_types therefore needs a constant here first.
 */
public enum RelationType {
    IMPLIES,
    PRESUPPOSES,
    NEGATES,
    CONTRADICTS,
    SUBLATES,
    GROUNDS,
    ANALOGOUS_TO,
    PART_OF,
    OPPOSES,
    EXEMPLIFIES;

    private static final List<RelationType> ALL = List.of(values());

    public static Optional<RelationType> of(String code) {
        if (code == null) {
            return Optional.empty();
        }
        return ALL.stream().filter(t -> t.name().equals(code)).findFirst();
    }

    public static List<RelationType> all() {
        return ALL;
    }

    /** {@code IMPLIES|PRESUPPOSES|...}: every relation type, for variable-length patterns. */
    public static String alternatives() {
        return String.join("|", Arrays.stream(values()).map(Enum::name).toList());
    }
}
