package io.dialectica.contracts;

/**
 * Kafka topic names (docs/events.md is the catalogue: keys, producers, consumers, payloads).
 */
public final class Topics {

    /**
     * Row changes of one concept: {@code concepts}, {@code concept_categories}, {@code concept_relations},
     * plus copies of the {@code categories} rows created or changed in the same source transaction that
     * the concept's rows of that transaction reference. Key = concept id (UUID text). Value =
     * {@link ChangeEnvelope}. Producer: cdc-connector. Consumers: graph-service, search-service.
     */
    public static final String CONCEPT_CHANGES = "dialectica.concept-changes";

    /**
     * Every change of a shared {@code categories} row. Key = category id (UUID text). Value =
     * {@link ChangeEnvelope}. Producer: cdc-connector. Consumers: graph-service, search-service.
     */
    public static final String CATEGORY_CHANGES = "dialectica.category-changes";

    /**
     * Each concept's latest vector (compacted). Key = concept id. Value =
     * {@link io.dialectica.contracts.embedding.ConceptEmbedding}. Producer: graph-service (after it stored the
     * vector in Neo4j). Consumer: search-service (semantic and hybrid search).
     */
    public static final String CONCEPT_EMBEDDINGS = "dialectica.concept-embeddings";

    /** Generation jobs to run. Key = job id. Producer: thesis-service. Consumer: claude-worker. */
    public static final String GENERATION_REQUESTS = "dialectica.generation.requests";

    /** Progress of running jobs. Key = job id. Producer: claude-worker. Consumers: thesis-service, api-gateway. */
    public static final String GENERATION_PROGRESS = "dialectica.generation.progress";

    /** Finished jobs. Key = job id. Producer: claude-worker. Consumer: thesis-service. */
    public static final String GENERATION_RESULTS = "dialectica.generation.results";

    /** Jobs that failed for good. Key = job id. Producer: claude-worker. Consumers: operators, thesis-service. */
    public static final String GENERATION_DEAD_LETTER = "dialectica.generation.dead-letter";

    private Topics() {
    }
}
