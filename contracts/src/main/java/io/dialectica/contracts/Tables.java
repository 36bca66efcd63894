package io.dialectica.contracts;

import java.util.List;

/** The captured PostgreSQL tables, as they appear in {@link ChangeEnvelope#table()}. */
public final class Tables {

    public static final String CONCEPTS = "concepts";
    public static final String CATEGORIES = "categories";
    public static final String CONCEPT_CATEGORIES = "concept_categories";
    public static final String CONCEPT_RELATIONS = "concept_relations";

    /** The tables whose rows belong to exactly one concept (key = their concept id). */
    public static final List<String> CONCEPT_SCOPED = List.of(CONCEPTS, CONCEPT_CATEGORIES, CONCEPT_RELATIONS);

    private Tables() {
    }
}
