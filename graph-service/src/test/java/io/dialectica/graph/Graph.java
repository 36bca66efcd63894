package io.dialectica.graph;

import io.dialectica.contracts.projection.ProjectionProgress;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Reads Neo4j directly (what the projection wrote) and waits for the projector. */
final class Graph {

    private final Driver driver;
    private final ProjectionProgress progress;

    Graph(Driver driver, ProjectionProgress progress) {
        this.driver = driver;
        this.progress = progress;
    }

    List<Record> query(String cypher, Map<String, Object> params) {
        try (Session session = driver.session(Session.class)) {
            return session.run(cypher, params).list();
        }
    }

    Record one(String cypher, Map<String, Object> params) {
        List<Record> records = query(cypher, params);
        if (records.size() != 1) {
            fail("expected one row from " + cypher + " " + params + ", got " + records);
        }
        return records.get(0);
    }

    long count(String cypher, Map<String, Object> params) {
        return one(cypher, params).get(0).asLong();
    }

    /**
     * A canonical text of everything projected for a concept: its node (without its vector), memberships, relations
     * and their categories, to compare before and after a re-delivery.
     */
    String state(String conceptId) {
        StringBuilder text = new StringBuilder();
        for (Record r : query("""
                OPTIONAL MATCH (c:Concept {id: $id})
                OPTIONAL MATCH (t:DeletedConcept {id: $id})
                RETURN properties(c) AS c, properties(t) AS t""", Map.of("id", conceptId))) {
            // the vector and its key are the embedding worker's, written asynchronously after the projection: not part of it
            java.util.TreeMap<String, Object> concept = new java.util.TreeMap<>(r.get("c").isNull() ? Map.of() : r.get("c").asMap());
            concept.keySet().removeAll(List.of("embedding", "embeddingKey", "embeddedAt"));
            text.append(concept).append('\n');
            text.append(new java.util.TreeMap<>(r.get("t").isNull() ? Map.of() : r.get("t").asMap())).append('\n');
        }
        for (Record r : query("""
                MATCH (:Concept {id: $id})-[m:INCLUDES]->(k:Category)
                RETURN k.id AS k, properties(m) AS m, properties(k) AS p ORDER BY k""", Map.of("id", conceptId))) {
            text.append(new java.util.TreeMap<>(r.get("m").asMap())).append(new java.util.TreeMap<>(r.get("p").asMap()))
                    .append('\n');
        }
        for (Record r : query("""
                MATCH (a:Category)-[x]->(b:Category) WHERE x.conceptId = $id
                RETURN type(x) AS type, a.id AS a, b.id AS b, properties(x) AS x ORDER BY x.id""",
                Map.of("id", conceptId))) {
            text.append(r.get("type").asString()).append(' ').append(r.get("a").asString()).append("->")
                    .append(r.get("b").asString()).append(new java.util.TreeMap<>(r.get("x").asMap())).append('\n');
        }
        return text.toString();
    }

    /** Waits until the projector has applied (or found applied) a group of this key at this commit LSN. */
    void awaitApplied(String key, long commitLsn) {
        until(() -> progress.recentlyApplied(key).orElse(0) >= commitLsn,
                "group of " + key + " at " + Long.toHexString(commitLsn) + " applied");
    }

    static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Removes every node the tests created (by id), with its relationships. */
    void removeTestNodes() {
        query("""
                MATCH (n) WHERE (n:Concept OR n:DeletedConcept OR n:Category) AND n.id IN $ids
                DETACH DELETE n""", Map.of("ids", List.copyOf(Events.IDS)));
    }
}
