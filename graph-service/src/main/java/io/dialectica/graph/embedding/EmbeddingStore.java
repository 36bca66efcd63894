package io.dialectica.graph.embedding;

import io.dialectica.contracts.embedding.ConceptText;
import jakarta.enterprise.context.ApplicationScoped;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.Value;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedding worker's reads and writes in Neo4j: a concept's text (name, description, its categories' names:
 * {@link ConceptText}), the key of its stored vector, and the vector itself ({@code c.embedding}, float32, in the
 * {@code concept_embedding} vector index; {@code c.embeddingKey}, {@code c.embeddedAt}).
 */
@ApplicationScoped
public class EmbeddingStore {

    /**
     * A concept's text now, its key, the key its stored vector was computed from (null: none) and the key of the
     * vector last published for search-service (null: none acknowledged).
     */
    public record ConceptTextRow(String id, String text, String key, String storedKey, String publishedKey) {
        boolean stale() {
            return !key.equals(storedKey);
        }

        /** Its stored vector is the current one but Kafka never acknowledged it (a failure, or stored before). */
        boolean unpublished() {
            return !stale() && !key.equals(publishedKey);
        }
    }

    /*
     * Grouped by the node, its properties read after the aggregation: Neo4j reads are read-committed, so properties
     * used as grouping keys may change between rows of one query (a worker storing a vector meanwhile) and split one
     * concept into two rows.
     */
    static final String TEXTS = """
            UNWIND $ids AS id
            MATCH (c:Concept {id: id})
            OPTIONAL MATCH (c)-[:INCLUDES]->(k:Category)
            WITH c, collect(k.name) AS categories
            RETURN c.id AS id, c.name AS name, c.description AS description, c.embeddingKey AS storedKey,
                   c.embeddingPublishedKey AS publishedKey, categories""";

    static final String CONCEPTS_OF_CATEGORIES = """
            UNWIND $ids AS id
            MATCH (:Category {id: id})<-[:INCLUDES]-(c:Concept)
            RETURN DISTINCT c.id AS id""";

    static final String PAGE = """
            MATCH (c:Concept) WHERE c.id > $after
            RETURN c.id AS id ORDER BY id LIMIT $size""";

    /**
     * Locks the concepts first (a write), then reads their text again: a vector is only stored for the text it was
     * computed from, whatever committed meanwhile (another replica's worker, a newer edit: queued again anyway).
     */
    static final String LOCK_TEXTS = """
            UNWIND $ids AS id
            MATCH (c:Concept {id: id})
            SET c.embeddingLock = true
            REMOVE c.embeddingLock
            WITH c
            OPTIONAL MATCH (c)-[:INCLUDES]->(k:Category)
            WITH c, collect(k.name) AS categories
            RETURN c.id AS id, c.name AS name, c.description AS description, c.embeddingKey AS storedKey,
                   categories""";

    static final String WRITE = """
            UNWIND $rows AS r
            MATCH (c:Concept {id: r.id})
            CALL db.create.setNodeVectorProperty(c, 'embedding', r.vector)
            SET c.embeddingKey = r.key, c.embeddedAt = $now""";

    static final String VECTORS = """
            UNWIND $ids AS id
            MATCH (c:Concept {id: id}) WHERE c.embedding IS NOT NULL
            RETURN c.id AS id, c.embeddingKey AS key, c.embedding AS vector""";

    /** Only if the vector is still the one published (a newer one is published, and marked, by its own batch). */
    static final String PUBLISHED = """
            UNWIND $rows AS r
            MATCH (c:Concept {id: r.id}) WHERE c.embeddingKey = r.key
            SET c.embeddingPublishedKey = r.key""";

    /** A stored vector with the key of its text. */
    public record StoredVector(String key, float[] vector) {
    }

    private final Driver driver;

    public EmbeddingStore(Driver driver) {
        this.driver = driver;
    }

    public List<ConceptTextRow> texts(Collection<String> ids) {
        try (Session session = driver.session(Session.class)) {
            return session.executeRead(tx -> rows(tx.run(TEXTS, Map.of("ids", List.copyOf(ids))).list()));
        }
    }

    public List<String> conceptsOf(Collection<String> categoryIds) {
        try (Session session = driver.session(Session.class)) {
            return session.executeRead(tx -> tx.run(CONCEPTS_OF_CATEGORIES, Map.of("ids", List.copyOf(categoryIds)))
                    .list(r -> r.get("id").asString()));
        }
    }

    /** Concept ids after {@code after} in id order (sweeps). */
    public List<String> page(String after, int size) {
        try (Session session = driver.session(Session.class)) {
            return session.executeRead(tx -> tx.run(PAGE, Map.of("after", after, "size", size))
                    .list(r -> r.get("id").asString()));
        }
    }

    /** Stores the vectors whose text is still the concept's text; returns the ids stored with their text keys. */
    public Map<String, String> write(Map<String, float[]> vectorsByKey, Collection<String> ids) {
        try (Session session = driver.session(Session.class); Transaction tx = session.beginTransaction()) {
            List<ConceptTextRow> now = rows(tx.run(LOCK_TEXTS, Map.of("ids", List.copyOf(ids))).list());
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<String, String> stored = new java.util.LinkedHashMap<>();
            for (ConceptTextRow row : now) {
                float[] vector = vectorsByKey.get(row.key());
                if (vector != null) {
                    List<Float> values = new ArrayList<>(vector.length);
                    for (float f : vector) {
                        values.add(f);
                    }
                    Map<String, Object> params = new HashMap<>();
                    params.put("id", row.id());
                    params.put("key", row.key());
                    params.put("vector", values);
                    rows.add(params);
                    stored.put(row.id(), row.key());
                }
            }
            if (!rows.isEmpty()) {
                tx.run(WRITE, Map.of("rows", rows, "now", Instant.now().toString())).consume();
            }
            tx.commit();
            return stored;
        }
    }

    /** The stored vectors of these concepts (absent: none stored). */
    public Map<String, StoredVector> vectors(Collection<String> ids) {
        try (Session session = driver.session(Session.class)) {
            return session.executeRead(tx -> {
                Map<String, StoredVector> result = new HashMap<>();
                for (Record r : tx.run(VECTORS, Map.of("ids", List.copyOf(ids))).list()) {
                    List<Object> values = r.get("vector").asList();
                    float[] vector = new float[values.size()];
                    for (int i = 0; i < vector.length; i++) {
                        vector[i] = ((Number) values.get(i)).floatValue();
                    }
                    result.put(r.get("id").asString(), new StoredVector(r.get("key").asString(), vector));
                }
                return result;
            });
        }
    }

    /** Marks vectors (id → key) as acknowledged by Kafka, so that sweeps do not publish them again. */
    public void published(Map<String, String> keysById) {
        if (keysById.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        keysById.forEach((id, key) -> rows.add(Map.of("id", id, "key", key)));
        try (Session session = driver.session(Session.class)) {
            session.executeWrite(tx -> tx.run(PUBLISHED, Map.of("rows", rows)).consume());
        }
    }

    private static List<ConceptTextRow> rows(List<Record> records) {
        List<ConceptTextRow> rows = new ArrayList<>(records.size());
        for (Record r : records) {
            String text = ConceptText.of(str(r.get("name")), str(r.get("description")),
                    r.get("categories").asList(v -> v.isNull() ? null : v.asString()));
            rows.add(new ConceptTextRow(r.get("id").asString(), text, ConceptText.key(text), str(r.get("storedKey")),
                    str(r.get("publishedKey"))));
        }
        return rows;
    }

    private static String str(Value v) {
        return v == null || v.isNull() ? null : v.asString();
    }
}
