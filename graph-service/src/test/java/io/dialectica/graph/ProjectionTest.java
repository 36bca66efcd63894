package io.dialectica.graph;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.projection.ProjectionMetrics;
import io.dialectica.testsupport.JwtTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The projection against the real local Kafka and Neo4j: synthetic change envelopes go into this run's
 * topics (GraphTestStack), the running projector applies them, and the test reads Neo4j directly.
 * The two test resources apply to every test class of the module (one Quarkus application).
 */
@QuarkusTest
@QuarkusTestResource(GraphTestStack.class)
@QuarkusTestResource(JwtTestResource.class)
class ProjectionTest {

    @Inject
    Driver driver;

    @Inject
    ProjectionProgress progress;

    @Inject
    ProjectionMetrics metrics;

    @Inject
    ObjectMapper mapper;

    @Inject
    GraphConfig config;

    Events events;
    Graph graph;

    @BeforeEach
    void setUp() {
        events = new Events(mapper, config.topics().conceptChanges(), config.topics().categoryChanges());
        graph = new Graph(driver, progress);
    }

    @AfterEach
    void tearDown() {
        events.close();
        graph.removeTestNodes();
    }

    @Test
    void createUpdateMembershipsRelationsAndDeleteAreProjected() {
        String x = Events.id();
        String being = Events.id();
        String nothing = Events.id();
        String becoming = Events.id();
        String mBeing = Events.id();
        String mNothing = Events.id();
        String mBecoming = Events.id();
        String negates = Events.id();
        String implies = Events.id();
        Map<String, Object> concept = Events.concept(x, "alice", "Logic of Being", "PUBLIC");

        // 1. created with two new categories (copies in the concept's group, authority on the category topic)
        long created = events.concept(x)
                .insert(Tables.CONCEPTS, concept)
                .insert(Tables.CATEGORIES, Events.category(being, "Being"))
                .insert(Tables.CATEGORIES, Events.category(nothing, "Nothing"))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(mBeing, x, being, 0.9))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(mNothing, x, nothing, 0.8))
                .insert(Tables.CONCEPT_RELATIONS, Events.relation(negates, x, being, nothing, "NEGATES", 0.7))
                .send();
        events.category(being).insert(Tables.CATEGORIES, Events.category(being, "Being")).send(created);
        events.category(nothing).insert(Tables.CATEGORIES, Events.category(nothing, "Nothing")).send(created);
        graph.awaitApplied(x, created);

        Record c = graph.one("MATCH (c:Concept {id: $id}) RETURN c", Map.of("id", x));
        assertEquals("Logic of Being", c.get("c").get("name").asString());
        assertEquals("alice", c.get("c").get("owner").asString());
        assertEquals("PUBLIC", c.get("c").get("visibility").asString());
        assertEquals("Hegelian", c.get("c").get("tradition").asString());
        assertEquals(created, c.get("c").get("appliedLsn").asLong());
        assertEquals(0.9, graph.one("MATCH (:Concept {id: $id})-[m:INCLUDES]->(:Category {id: $k}) RETURN m.weight",
                Map.of("id", x, "k", being)).get(0).asDouble());
        assertEquals(2, graph.count("MATCH (:Concept {id: $id})-[m:INCLUDES]->(:Category) RETURN count(m)",
                Map.of("id", x)));
        Record rel = graph.one("MATCH (a:Category)-[r:NEGATES]->(b:Category) WHERE r.id = $id RETURN a.id, b.id, r",
                Map.of("id", negates));
        assertEquals(being, rel.get("a.id").asString());
        assertEquals(nothing, rel.get("b.id").asString());
        assertEquals(x, rel.get("r").get("conceptId").asString());
        assertEquals(0.7, rel.get("r").get("weight").asDouble());
        assertEquals("NEGATES because", rel.get("r").get("rationale").asString());
        assertEquals("PUBLIC", rel.get("r").get("visibility").asString());
        assertEquals("alice", rel.get("r").get("owner").asString());
        assertEquals("Nothing", graph.one("MATCH (k:Category {id: $id}) RETURN k.name", Map.of("id", nothing))
                .get(0).asString());

        // 2. renamed and made private, a weight changed, a category and a relation added, a relation removed
        Map<String, Object> renamed = Events.with(Events.with(concept, "name", "Being and Nothing"),
                "visibility", "PRIVATE");
        long updated = events.concept(x)
                .update(Tables.CONCEPTS, concept, renamed)
                .update(Tables.CONCEPT_CATEGORIES, Events.membership(mBeing, x, being, 0.9),
                        Events.membership(mBeing, x, being, 0.5))
                .insert(Tables.CATEGORIES, Events.category(becoming, "Becoming"))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(mBecoming, x, becoming, 1.0))
                .insert(Tables.CONCEPT_RELATIONS, Events.relation(implies, x, nothing, becoming, "IMPLIES", 0.6))
                .delete(Tables.CONCEPT_RELATIONS, Events.relation(negates, x, being, nothing, "NEGATES", 0.7))
                .send();
        graph.awaitApplied(x, updated);
        c = graph.one("MATCH (c:Concept {id: $id}) RETURN c", Map.of("id", x));
        assertEquals("Being and Nothing", c.get("c").get("name").asString());
        assertEquals("PRIVATE", c.get("c").get("visibility").asString());
        assertEquals(updated, c.get("c").get("appliedLsn").asLong());
        assertEquals(0.5, graph.one("MATCH (:Concept {id: $id})-[m:INCLUDES]->(:Category {id: $k}) RETURN m.weight",
                Map.of("id", x, "k", being)).get(0).asDouble());
        assertEquals(3, graph.count("MATCH (:Concept {id: $id})-[m:INCLUDES]->() RETURN count(m)", Map.of("id", x)));
        assertEquals(0, graph.count("MATCH ()-[r:NEGATES {id: $id}]->() RETURN count(r)", Map.of("id", negates)));
        assertEquals("PRIVATE", graph.one("MATCH ()-[r:IMPLIES {id: $id}]->() RETURN r.visibility",
                Map.of("id", implies)).get(0).asString());

        // 3. a membership removed: the relation on it goes too (ON DELETE CASCADE rows), the category stays
        long removed = events.concept(x)
                .delete(Tables.CONCEPT_RELATIONS, Events.relation(implies, x, nothing, becoming, "IMPLIES", 0.6))
                .delete(Tables.CONCEPT_CATEGORIES, Events.membership(mNothing, x, nothing, 0.8))
                .send();
        graph.awaitApplied(x, removed);
        assertEquals(2, graph.count("MATCH (:Concept {id: $id})-[m:INCLUDES]->() RETURN count(m)", Map.of("id", x)));
        assertEquals(0, graph.count("MATCH ()-[r:IMPLIES {id: $id}]->() RETURN count(r)", Map.of("id", implies)));
        assertEquals(1, graph.count("MATCH (k:Category {id: $id}) RETURN count(k)", Map.of("id", nothing)));

        // 4. the category topic is the authority for a category's attributes
        Map<String, Object> described = Events.with(Events.category(nothing, "Nothing"), "description", "The void");
        long filled = events.category(nothing).update(Tables.CATEGORIES, Events.category(nothing, "Nothing"), described)
                .send();
        graph.awaitApplied(nothing, filled);
        assertEquals("The void", graph.one("MATCH (k:Category {id: $id}) RETURN k.description",
                Map.of("id", nothing)).get(0).asString());

        // 5. another concept includes the existing category Being (no copy in its group: it existed)
        String y = Events.id();
        String mY = Events.id();
        long other = events.concept(y)
                .insert(Tables.CONCEPTS, Events.concept(y, "bob", "Being as such", "PUBLIC"))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(mY, y, being, 0.4))
                .send();
        graph.awaitApplied(y, other);

        // 6. X deleted (its memberships cascade): Being survives for Y, Becoming stays as an orphan
        long deleted = events.concept(x)
                .delete(Tables.CONCEPT_CATEGORIES, Events.membership(mBeing, x, being, 0.5))
                .delete(Tables.CONCEPT_CATEGORIES, Events.membership(mBecoming, x, becoming, 1.0))
                .delete(Tables.CONCEPTS, renamed)
                .send();
        graph.awaitApplied(x, deleted);
        assertEquals(0, graph.count("MATCH (c:Concept {id: $id}) RETURN count(c)", Map.of("id", x)));
        assertEquals(deleted, graph.one("MATCH (t:DeletedConcept {id: $id}) RETURN t.appliedLsn", Map.of("id", x))
                .get(0).asLong());
        assertEquals(1, graph.count("MATCH (:Concept {id: $y})-[:INCLUDES]->(k:Category {id: $k}) RETURN count(k)",
                Map.of("y", y, "k", being)));
        assertEquals(1, graph.count("MATCH (k:Category {id: $id}) RETURN count(k)", Map.of("id", becoming)));

        // 7. the create re-delivered after the delete is stale: nothing comes back
        long repeats = metrics.groupsRepeated();
        long groups = metrics.groupsApplied();
        events.concept(x)
                .insert(Tables.CONCEPTS, concept)
                .insert(Tables.CATEGORIES, Events.category(being, "Being"))
                .insert(Tables.CATEGORIES, Events.category(nothing, "Nothing"))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(mBeing, x, being, 0.9))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(mNothing, x, nothing, 0.8))
                .insert(Tables.CONCEPT_RELATIONS, Events.relation(negates, x, being, nothing, "NEGATES", 0.7))
                .send(created);
        Graph.until(() -> metrics.groupsRepeated() > repeats, "the stale create counted as a repeat");
        assertEquals(groups, metrics.groupsApplied());
        assertEquals(0, graph.count("MATCH (c:Concept {id: $id}) RETURN count(c)", Map.of("id", x)));
        assertEquals(0, graph.count("MATCH ()-[r:NEGATES {id: $id}]->() RETURN count(r)", Map.of("id", negates)));
        assertEquals(deleted, graph.one("MATCH (t:DeletedConcept {id: $id}) RETURN t.appliedLsn", Map.of("id", x))
                .get(0).asLong());
        assertEquals("The void", graph.one("MATCH (k:Category {id: $id}) RETURN k.description",
                Map.of("id", nothing)).get(0).asString(), "an older copy of a category does not overwrite a newer state");
    }

    @Test
    void redeliveredGroupsChangeNothing() {
        String z = Events.id();
        String a = Events.id();
        String b = Events.id();
        Map<String, Object> concept = Events.concept(z, "carol", "Essence", "PUBLIC");
        Events.Group first = events.concept(z)
                .insert(Tables.CONCEPTS, concept)
                .insert(Tables.CATEGORIES, Events.category(a, "Essence"))
                .insert(Tables.CATEGORIES, Events.category(b, "Appearance"))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), z, a, 1.0))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), z, b, 0.6))
                .insert(Tables.CONCEPT_RELATIONS, Events.relation(Events.id(), z, a, b, "GROUNDS", 0.9));
        Events.Group second = events.concept(z)
                .update(Tables.CONCEPTS, concept, Events.with(concept, "name", "Essence and Appearance"));
        long lsn1 = Events.nextLsn();
        long lsn2 = Events.nextLsn();
        first.send(lsn1);
        second.send(lsn2);
        graph.awaitApplied(z, lsn2);
        String before = graph.state(z);
        long events0 = metrics.eventsApplied();
        long groups0 = metrics.groupsApplied();
        long repeats0 = metrics.groupsRepeated();

        // the same two groups again (a connector restart re-publishing them)
        first.send(lsn1);
        second.send(lsn2);
        Graph.until(() -> metrics.groupsRepeated() >= repeats0 + 2, "both re-delivered groups skipped");
        assertEquals(before, graph.state(z));
        assertEquals(events0, metrics.eventsApplied());
        assertEquals(groups0, metrics.groupsApplied());
        assertTrue(before.contains("Essence and Appearance"));

        // an interrupted run (the connector died after two envelopes), then the whole group again
        long dropped0 = metrics.runsDropped();
        long lsn3 = Events.nextLsn();
        Events.Group third = events.concept(z)
                .insert(Tables.CATEGORIES, Events.category(Events.id(), "Semblance"))
                .update(Tables.CONCEPTS, Events.with(concept, "name", "Essence and Appearance"),
                        Events.with(concept, "name", "Essence, Semblance"))
                .insert(Tables.CONCEPT_RELATIONS, Events.relation(Events.id(), z, b, a, "OPPOSES", 0.3));
        List<ChangeEnvelope> whole = third.envelopes(lsn3);
        events.send(events.conceptTopic, z, whole.subList(0, 2));
        events.send(events.conceptTopic, z, whole);
        graph.awaitApplied(z, lsn3);
        assertEquals(dropped0 + 1, metrics.runsDropped());
        assertEquals(groups0 + 1, metrics.groupsApplied());
        assertEquals(events0 + 3, metrics.eventsApplied());
        String after = graph.state(z);
        assertTrue(after.contains("Essence, Semblance"));
        assertEquals(1, graph.count("MATCH ()-[r:OPPOSES {conceptId: $id}]->() RETURN count(r)", Map.of("id", z)));

        // and that whole group once more: a repeat
        long repeats1 = metrics.groupsRepeated();
        events.send(events.conceptTopic, z, whole);
        Graph.until(() -> metrics.groupsRepeated() > repeats1, "the re-delivered group skipped");
        assertEquals(after, graph.state(z));
        assertEquals(groups0 + 1, metrics.groupsApplied());
    }

    @Test
    void unknownRelationTypeIsSkippedWithoutBlockingTheGroup() {
        String w = Events.id();
        String a = Events.id();
        String b = Events.id();
        long unknown0 = metrics.unknownRelationTypes();
        long lsn = events.concept(w)
                .insert(Tables.CONCEPTS, Events.concept(w, "dave", "Quantity", "PUBLIC"))
                .insert(Tables.CATEGORIES, Events.category(a, "Quantum"))
                .insert(Tables.CATEGORIES, Events.category(b, "Measure"))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), w, a, 1.0))
                .insert(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), w, b, 1.0))
                .insert(Tables.CONCEPT_RELATIONS, Events.relation(Events.id(), w, a, b, "TRANSCENDS`]->() DELETE x //", 0.5))
                .insert(Tables.CONCEPT_RELATIONS, Events.relation(Events.id(), w, b, a, "PART_OF", 0.5))
                .send();
        graph.awaitApplied(w, lsn);
        assertEquals(unknown0 + 1, metrics.unknownRelationTypes());
        assertEquals(1, graph.count("MATCH ()-[r]->() WHERE r.conceptId = $id RETURN count(r)", Map.of("id", w)));
        assertEquals(1, graph.count("MATCH ()-[r:PART_OF {conceptId: $id}]->() RETURN count(r)", Map.of("id", w)));
        assertEquals(2, graph.count("MATCH (:Concept {id: $id})-[m:INCLUDES]->() RETURN count(m)", Map.of("id", w)));
    }

    @Test
    void snapshotRowsAreUpserts() {
        String s = Events.id();
        String a = Events.id();
        String b = Events.id();
        String membership = Events.id();
        String relation = Events.id();
        long first = events.concept(s)
                .snapshot(Tables.CONCEPTS, Events.concept(s, "erin", "Measure", "PUBLIC"))
                .snapshot(Tables.CATEGORIES, Events.category(a, "Quality"))
                .snapshot(Tables.CATEGORIES, Events.category(b, "Quantity"))
                .snapshot(Tables.CONCEPT_CATEGORIES, Events.membership(membership, s, a, 0.3))
                .snapshot(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), s, b, 0.3))
                .snapshot(Tables.CONCEPT_RELATIONS, Events.relation(relation, s, a, b, "IMPLIES", 0.4))
                .send();
        graph.awaitApplied(s, first);
        assertEquals(1, graph.count("MATCH ()-[r:IMPLIES {id: $id}]->() RETURN count(r)", Map.of("id", relation)));

        // a later snapshot (the connector re-snapshotted) of the changed rows: upserts over what is there
        long second = events.concept(s)
                .snapshot(Tables.CONCEPTS, Events.concept(s, "erin", "Measure", "PRIVATE"))
                .snapshot(Tables.CONCEPT_CATEGORIES, Events.membership(membership, s, a, 0.9))
                .snapshot(Tables.CONCEPT_RELATIONS, Events.relation(relation, s, a, b, "GROUNDS", 0.4))
                .send();
        graph.awaitApplied(s, second);
        assertEquals(0, graph.count("MATCH ()-[r:IMPLIES {id: $id}]->() RETURN count(r)", Map.of("id", relation)));
        Record grounds = graph.one("MATCH ()-[r:GROUNDS {id: $id}]->() RETURN r.visibility", Map.of("id", relation));
        assertEquals("PRIVATE", grounds.get(0).asString());
        assertEquals(0.9, graph.one("MATCH (:Concept {id: $id})-[m:INCLUDES]->(:Category {id: $k}) RETURN m.weight",
                Map.of("id", s, "k", a)).get(0).asDouble());
        assertEquals(2, graph.count("MATCH (:Concept {id: $id})-[m:INCLUDES]->() RETURN count(m)", Map.of("id", s)));
        assertFalse(graph.state(s).isEmpty());
    }

    /**
     * The position of each partition lives in Neo4j, written by the transaction that applies its groups (and by the
     * one that passes its watermarks), so any replica can read what is applied: one node per topic-partition.
     */
    @Test
    void partitionPositionsAreWrittenIntoNeo4jWithTheChanges() {
        String x = Events.id();
        long created = events.concept(x)
                .insert(Tables.CONCEPTS, Events.concept(x, "alice-progress", "Positions", "PUBLIC"))
                .send();
        graph.awaitApplied(x, created);
        Record node = graph.one("""
                MATCH (c:Concept {id: $id})
                MATCH (p:ProjectionProgress) WHERE p.topic = $topic AND p.position >= c.appliedLsn
                RETURN count(p) AS n, min(p.partitions) AS partitions""",
                Map.of("id", x, "topic", config.topics().conceptChanges()));
        assertTrue(node.get("n").asLong() >= 1, "the concept's partition is at or past its group");
        assertEquals(GraphTestStack.PARTITIONS, node.get("partitions").asInt());

        long mark = Events.nextLsn();
        events.watermarks(mark);
        Graph.until(() -> graph.count("""
                MATCH (p:ProjectionProgress) WHERE p.topic IN $topics AND p.position >= $mark RETURN count(p)""",
                Map.of("topics", List.of(config.topics().conceptChanges(), config.topics().categoryChanges()),
                        "mark", mark)) == 2L * GraphTestStack.PARTITIONS, "every partition's node at the watermark");
        Graph.until(() -> progress.lowWatermark() >= mark, "the projector's own positions at the watermark");
        assertEquals(2L * GraphTestStack.PARTITIONS, graph.count("""
                MATCH (p:ProjectionProgress) WHERE p.topic IN $topics AND p.offset > 0 RETURN count(p)""",
                Map.of("topics", List.of(config.topics().conceptChanges(), config.topics().categoryChanges()))));
    }
}
