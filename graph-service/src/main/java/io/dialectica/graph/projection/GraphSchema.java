package io.dialectica.graph.projection;

import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.graph.model.RelationType;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Constraints and indexes, created (if missing) before the projector consumes anything: unique ids
 * of concepts, tombstones, categories and the per-partition progress nodes (node key lookups of every statement), per relation type a
 * unique relation id and an index on the owning concept id (relation updates, concept deletions,
 * visibility changes), and the vector index {@value #VECTOR_INDEX_NAME} over the concepts' embeddings.
 */
@ApplicationScoped
public class GraphSchema {

    private static final Logger LOG = Logger.getLogger(GraphSchema.class);

    private final Driver driver;
    private volatile boolean ready;

    public GraphSchema(Driver driver) {
        this.driver = driver;
    }

    /** The vector index /similar queries; a change of dimensions needs a new index name. */
    public static final String VECTOR_INDEX_NAME = "concept_embedding";

    static final String VECTOR_INDEX = ("CREATE VECTOR INDEX %s IF NOT EXISTS FOR (c:Concept) ON c.embedding "
            + "OPTIONS {indexConfig: {`vector.dimensions`: %d, `vector.similarity_function`: 'cosine'}}")
            .formatted(VECTOR_INDEX_NAME, ConceptText.DIMENSIONS);

    static List<String> statements() {
        List<String> statements = new ArrayList<>(List.of(
                "CREATE CONSTRAINT concept_id IF NOT EXISTS FOR (c:Concept) REQUIRE c.id IS UNIQUE",
                "CREATE CONSTRAINT deleted_concept_id IF NOT EXISTS FOR (t:DeletedConcept) REQUIRE t.id IS UNIQUE",
                "CREATE CONSTRAINT category_id IF NOT EXISTS FOR (k:Category) REQUIRE k.id IS UNIQUE",
                // one node per topic-partition: id = "<topic>#<partition>" (PartitionPosition.id)
                "CREATE CONSTRAINT projection_progress_id IF NOT EXISTS FOR (p:ProjectionProgress) REQUIRE p.id IS UNIQUE",
                // the concepts' vectors (EmbeddingWorker), nearest neighbours by cosine for /similar
                VECTOR_INDEX));
        for (RelationType type : RelationType.values()) {
            String suffix = type.name().toLowerCase(Locale.ROOT);
            statements.add("CREATE CONSTRAINT relation_id_%s IF NOT EXISTS FOR ()-[x:%s]-() REQUIRE x.id IS UNIQUE"
                    .formatted(suffix, type.name()));
            statements.add("CREATE INDEX relation_concept_%s IF NOT EXISTS FOR ()-[x:%s]-() ON (x.conceptId)"
                    .formatted(suffix, type.name()));
        }
        return statements;
    }

    /** Creates what is missing and waits until the indexes are online; throws when Neo4j is unavailable. */
    public void ensure() {
        try (Session session = driver.session(Session.class)) {
            for (String statement : statements()) {
                session.run(statement).consume();
            }
            session.run("CALL db.awaitIndexes(120)").consume();
        }
        ready = true;
        LOG.info("Neo4j constraints and indexes are in place");
    }

    public boolean isReady() {
        return ready;
    }
}
