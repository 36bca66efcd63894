package io.dialectica.graph.rebuild;

import io.dialectica.graph.GraphTestStack;
import io.dialectica.testsupport.JwtTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The rebuild's Neo4j transactions on the shared local Neo4j, for concepts of this test only (the sweep, which
 * removes whatever PostgreSQL lacks, is tested end to end in e2e-tests' RebuildGraphIT on a private Neo4j):
 * a concept below S is replaced by the snapshot's state, one at or above S is left alone, and a rebuild
 * transaction waits for a projector transaction that holds a progress lock — reading, after it, the LSN that
 * transaction wrote, so a group above S applied meanwhile is never overwritten.
 */
@QuarkusTest
@QuarkusTestResource(GraphTestStack.class)
@QuarkusTestResource(JwtTestResource.class)
class RebuildWriterTest {

    private static final long S = 5_000_000L;

    @Inject
    Driver driver;

    @Inject
    RebuildWriter writer;

    private final List<String> ids = new ArrayList<>();

    @AfterEach
    void removeNodes() {
        run("MATCH (n) WHERE (n:Concept OR n:DeletedConcept OR n:Category OR n:ProjectionProgress) AND n.id IN $ids "
                + "DETACH DELETE n", Map.of("ids", ids));
    }

    @Test
    void replacesConceptsBelowTheSnapshotAndLeavesNewerOnes() {
        String older = id();
        String newer = id();
        String being = id();
        String nothing = id();
        String stale = id();
        // older: as the projector left it at LSN 100, with a weight and a relation the snapshot no longer has
        run("""
                CREATE (c:Concept {id: $older, name: 'Old name', visibility: 'PUBLIC', owner: 'alice', appliedLsn: 100,
                                   embedding: 'kept'})
                CREATE (b:Category {id: $being, name: 'Being', appliedLsn: 100})
                CREATE (s:Category {id: $stale, name: 'Stale', appliedLsn: 100})
                CREATE (c)-[:INCLUDES {id: $m1, weight: 0.01}]->(b)
                CREATE (c)-[:INCLUDES {id: $m2, weight: 0.5}]->(s)
                CREATE (b)-[:IMPLIES {id: $r0, conceptId: $older, weight: 0.2}]->(s)
                CREATE (:Concept {id: $newer, name: 'Written after S', visibility: 'PUBLIC', owner: 'bob',
                                  appliedLsn: $above})""",
                Map.of("older", older, "being", being, "stale", stale, "m1", id(), "m2", id(), "r0", id(),
                        "newer", newer, "above", S + 10));
        String relation = id();
        SourceSnapshot.Concept olderAtS = new SourceSnapshot.Concept(older, "alice", "Snapshot name", "described",
                "Hegelian", "PUBLIC", "2026-01-01T00:00:00Z",
                List.of(new SourceSnapshot.Membership(id(), being, 0.9, 1, 2),
                        new SourceSnapshot.Membership(id(), nothing, 0.4, 0, 0)),
                List.of(new SourceSnapshot.Relation(relation, "NEGATES", being, nothing, 0.7, "why"),
                        new SourceSnapshot.Relation(id(), "NOT_A_TYPE", nothing, being, 0.1, null)));
        SourceSnapshot.Concept newerAtS = new SourceSnapshot.Concept(newer, "bob", "Snapshot of the newer", null, null,
                "PRIVATE", null, List.of(), List.of());

        RebuildWriter.Batch batch = writer.writeConcepts(List.of(olderAtS, newerAtS), S, "test-rebuild");

        assertEquals(new RebuildWriter.Batch(1, 1, 1), batch);
        Record c = one("MATCH (c:Concept {id: $id}) RETURN c.name AS name, c.appliedLsn AS lsn, c.rebuild AS rebuild, "
                + "c.tradition AS tradition, c.embedding AS embedding", Map.of("id", older));
        assertEquals("Snapshot name", c.get("name").asString());
        assertEquals(S, c.get("lsn").asLong());
        assertEquals("test-rebuild", c.get("rebuild").asString());
        assertEquals("Hegelian", c.get("tradition").asString());
        assertEquals("kept", c.get("embedding").asString(), "other properties of the node stay");
        List<Record> memberships = list("""
                MATCH (:Concept {id: $id})-[m:INCLUDES]->(k:Category) RETURN k.id AS k, m.weight AS w ORDER BY w""",
                Map.of("id", older));
        assertEquals(2, memberships.size());
        assertEquals(nothing, memberships.get(0).get("k").asString());
        assertEquals(being, memberships.get(1).get("k").asString());
        assertEquals(0.9, memberships.get(1).get("w").asDouble());
        List<Record> relations = list("""
                MATCH (a:Category)-[x]->(b:Category) WHERE x.conceptId = $id
                RETURN type(x) AS type, x.id AS id, a.id AS a, b.id AS b, x.owner AS owner""", Map.of("id", older));
        assertEquals(1, relations.size(), "the old relation replaced, the unknown type skipped");
        assertEquals("NEGATES", relations.get(0).get("type").asString());
        assertEquals(relation, relations.get(0).get("id").asString());
        assertEquals("alice", relations.get(0).get("owner").asString());

        Record kept = one("MATCH (c:Concept {id: $id}) RETURN c.name AS name, c.appliedLsn AS lsn, c.rebuild AS rebuild",
                Map.of("id", newer));
        assertEquals("Written after S", kept.get("name").asString());
        assertEquals(S + 10, kept.get("lsn").asLong());
        assertNull(kept.get("rebuild").asObject());
    }

    @Test
    void aBatchOfAHundredConceptsIsOneTransaction() {
        String shared = id();
        List<SourceSnapshot.Concept> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String own = id();
            batch.add(new SourceSnapshot.Concept(id(), "carol", "Batch " + i, null, null, "PUBLIC", null,
                    List.of(new SourceSnapshot.Membership(id(), shared, 0.5, 0, 0),
                            new SourceSnapshot.Membership(id(), own, 0.25, 0, 0)),
                    List.of(new SourceSnapshot.Relation(id(), "GROUNDS", shared, own, 0.5, null))));
        }
        long started = System.nanoTime();
        RebuildWriter.Batch first = writer.writeConcepts(batch, S, "test-rebuild");
        long firstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        started = System.nanoTime();
        RebuildWriter.Batch again = writer.writeConcepts(batch, S + 1, "test-rebuild-2");
        long againMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.printf("rebuild batch of 100 concepts: %d ms new, %d ms replacing%n", firstMs, againMs);
        assertEquals(new RebuildWriter.Batch(100, 0, 0), first);
        assertEquals(new RebuildWriter.Batch(100, 0, 0), again);
        assertEquals(100, one("MATCH (:Category {id: $id})<-[m:INCLUDES]-() RETURN count(m) AS n", Map.of("id", shared))
                .get("n").asLong());
        assertEquals(100, one("MATCH (:Category {id: $id})-[x:GROUNDS]->() RETURN count(x) AS n", Map.of("id", shared))
                .get("n").asLong(), "each relation once after the second pass");
    }

    @Test
    void waitsForAProjectorTransactionAndKeepsWhatItWroteAboveTheSnapshot() throws Exception {
        String concept = id();
        String progress = id() + "#0";
        run("CREATE (:ProjectionProgress {id: $p, position: 0}) CREATE (:Concept {id: $c, name: 'Before', appliedLsn: 10})",
                Map.of("p", progress, "c", concept));
        SourceSnapshot.Concept atS = new SourceSnapshot.Concept(concept, "alice", "Snapshot", null, null, "PUBLIC", null,
                List.of(), List.of());
        try (Session session = driver.session(Session.class); Transaction projector = session.beginTransaction()) {
            // what a projector transaction does first: lock its partition's progress node; then it applies a group above S
            projector.run("MATCH (p:ProjectionProgress {id: $p}) SET p.position = $above", Map.of("p", progress, "above", S + 1))
                    .consume();
            projector.run("MATCH (c:Concept {id: $c}) SET c.name = 'Applied above S', c.appliedLsn = $above",
                    Map.of("c", concept, "above", S + 1)).consume();
            CompletableFuture<RebuildWriter.Batch> rebuild = CompletableFuture.supplyAsync(
                    () -> writer.writeConcepts(List.of(atS), S, "test-rebuild"));
            Thread.sleep(700);
            assertFalse(rebuild.isDone(), "the rebuild transaction waits for the progress lock");
            projector.commit();
            assertEquals(new RebuildWriter.Batch(0, 1, 0), rebuild.get(20, TimeUnit.SECONDS));
        }
        Record after = one("MATCH (c:Concept {id: $c}) RETURN c.name AS name, c.appliedLsn AS lsn", Map.of("c", concept));
        assertEquals("Applied above S", after.get("name").asString());
        assertEquals(S + 1, after.get("lsn").asLong());
    }

    private String id() {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        ids.add(id + "#0");
        return id;
    }

    private void run(String cypher, Map<String, Object> params) {
        try (Session session = driver.session(Session.class)) {
            session.run(cypher, params).consume();
        }
    }

    private List<Record> list(String cypher, Map<String, Object> params) {
        try (Session session = driver.session(Session.class)) {
            return session.run(cypher, params).list();
        }
    }

    private Record one(String cypher, Map<String, Object> params) {
        List<Record> records = list(cypher, params);
        assertEquals(1, records.size(), cypher);
        return records.get(0);
    }
}
