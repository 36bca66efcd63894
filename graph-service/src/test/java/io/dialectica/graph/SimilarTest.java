package io.dialectica.graph;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.embedding.ConceptEmbedding;
import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.embedding.EmbeddingWorker;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Similar concepts by meaning: real texts through the real projection, the real model and Neo4j's vector index.
 * Five concepts on three themes (two on virtue ethics, two on philosophy of mind, one on logic), all private to one
 * user so that no other run's vectors can come between them; another user's private near-copy never shows.
 */
@QuarkusTest
class SimilarTest {

    private static final String PROBLEM = "application/problem+json";

    @Inject
    Driver driver;

    @Inject
    ProjectionProgress progress;

    @Inject
    ObjectMapper mapper;

    @Inject
    GraphConfig config;

    @Inject
    EmbeddingWorker worker;

    Events events;
    Graph graph;
    String owner;
    /** Categories by name, shared by the concepts that include them (as concept-service keeps them). */
    Map<String, String> categoryIds;

    @BeforeEach
    void setUp() {
        RestAssured.config = RestAssuredConfig.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
        events = new Events(mapper, config.topics().conceptChanges(), config.topics().categoryChanges());
        graph = new Graph(driver, progress);
        owner = "sim-" + Events.id().substring(0, 8);
        categoryIds = new LinkedHashMap<>();
    }

    @AfterEach
    void tearDown() {
        events.close();
        graph.removeTestNodes();
    }

    record Sent(String id, Map<String, Object> row, Map<String, String> memberships, long lsn) {
    }

    /** A concept with its (new) categories, as concept-service's create would stream it; waits until projected. */
    private Sent concept(String owner, String visibility, String name, String description, double weight,
            String... categoryNames) {
        String id = Events.id();
        Map<String, Object> row = Events.with(Events.concept(id, owner, name, visibility), "description", description);
        Events.Group group = events.concept(id).insert(Tables.CONCEPTS, row);
        Map<String, String> memberships = new LinkedHashMap<>();
        for (String categoryName : categoryNames) {
            String categoryId = categoryIds.computeIfAbsent(categoryName, n -> Events.id());
            String membershipId = Events.id();
            memberships.put(membershipId, categoryId);
            group.insert(Tables.CATEGORIES, Events.category(categoryId, categoryName));
            group.insert(Tables.CONCEPT_CATEGORIES, Events.membership(membershipId, id, categoryId, weight));
        }
        long lsn = group.send();
        graph.awaitApplied(id, lsn);
        return new Sent(id, row, memberships, lsn);
    }

    /** Waits until the concept's stored vector is for its current text; returns its key. */
    private String awaitEmbedded(String id) {
        Graph.until(() -> {
            Record r = graph.one("""
                    MATCH (c:Concept {id: $id}) OPTIONAL MATCH (c)-[:INCLUDES]->(k:Category)
                    WITH c, collect(k.name) AS categories
                    RETURN c.name AS name, c.description AS description, c.embeddingKey AS key,
                           c.embedding IS NOT NULL AS has, categories""", Map.of("id", id));
            String text = ConceptText.of(r.get("name").asString(), r.get("description").asString(),
                    r.get("categories").asList(v -> v.asString()));
            return r.get("has").asBoolean() && ConceptText.key(text).equals(r.get("key").asString(null));
        }, "vector of " + id + " for its current text");
        return graph.one("MATCH (c:Concept {id: $id}) RETURN c.embeddingKey AS key", Map.of("id", id))
                .get("key").asString();
    }

    /** The items' ids that are this run's concepts (the local Neo4j may hold other runs' public concepts). */
    private static List<String> ours(Response r) {
        List<String> ids = r.path("items.id");
        return ids.stream().filter(Events.IDS::contains).toList();
    }

    private Response similar(String caller, String id, int limit) {
        return given().auth().oauth2(TestJwt.user(caller)).queryParam("limit", limit)
                .when().get("/api/graph/concepts/" + id + "/similar");
    }

    @Test
    void eachConceptsNearestNeighbourIsFromItsOwnTheme() {
        Sent aristotle = concept(owner, "PRIVATE", "Aristotelian virtue ethics",
                "Moral excellence is a settled disposition of character, acquired by habit and aimed at eudaimonia, "
                        + "the flourishing life; the virtuous person hits the mean between excess and deficiency.",
                0.8, "Virtue", "Character", "Eudaimonia", "Practical wisdom");
        Sent confucius = concept(owner, "PRIVATE", "Confucian ethics of virtue",
                "Ren, humaneness, and li, ritual propriety, are cultivated through lifelong self-cultivation; the "
                        + "exemplary person acts well from a character formed by moral habituation.",
                0.8, "Virtue", "Moral cultivation", "Character");
        Sent mindBody = concept(owner, "PRIVATE", "The mind-body problem",
                "How do mental states such as thoughts, sensations and consciousness relate to physical states of "
                        + "the brain and body? Substance dualism against physicalism.",
                0.8, "Mind", "Consciousness", "Brain", "Dualism");
        Sent qualia = concept(owner, "PRIVATE", "Qualia",
                "The subjective felt qualities of conscious experience, what it is like to see red or to feel "
                        + "pain, and whether any physical fact about the brain explains them.",
                0.8, "Consciousness", "Subjective experience", "Perception");
        Sent modusPonens = concept(owner, "PRIVATE", "Modus ponens",
                "A rule of inference of deductive logic: from a conditional 'if P then Q' and its antecedent P, "
                        + "infer the consequent Q; the argument is valid in virtue of its form alone.",
                0.8, "Inference", "Validity", "Deduction");
        List<Sent> all = List.of(aristotle, confucius, mindBody, qualia, modusPonens);
        all.forEach(s -> awaitEmbedded(s.id()));

        Map<String, String> pairs = Map.of(aristotle.id(), confucius.id(), confucius.id(), aristotle.id(),
                mindBody.id(), qualia.id(), qualia.id(), mindBody.id());
        for (Sent s : all) {
            Response r = similar(owner, s.id(), 100);
            r.then().statusCode(200).body("conceptId", equalTo(s.id())).body("pending", equalTo(false));
            // the local Neo4j may hold other runs' public concepts with vectors: ranked among this run's concepts
            List<String> ids = ours(r);
            assertFalse(ids.isEmpty(), r.asString());
            List<Double> scores = r.path("items.score");
            assertFalse(ids.contains(s.id()), "the concept itself is excluded");
            for (int i = 1; i < scores.size(); i++) {
                assertTrue(scores.get(i - 1) >= scores.get(i), "best first: " + scores);
            }
            assertTrue(scores.get(0) > 0 && scores.get(0) <= 1, "a score in 0..1: " + scores);
            if (pairs.containsKey(s.id())) {
                assertEquals(pairs.get(s.id()), ids.get(0), s.row().get("name") + "'s nearest is its theme's other: "
                        + r.asString());
            } else {
                // logic has no partner: it is nobody's nearest
                pairs.values().forEach(other -> assertNotEquals(s.id(), ours(similar(owner, other, 100)).get(0)));
            }
        }
        Response best = similar(owner, aristotle.id(), 100);
        int at = best.<List<String>>path("items.id").indexOf(confucius.id());
        assertTrue(at >= 0, best.asString());
        best.then().statusCode(200)
                .body("items[" + at + "].name", equalTo("Confucian ethics of virtue"))
                .body("items[" + at + "].tradition", equalTo("Hegelian"))
                .body("items[" + at + "].description", equalTo(confucius.row().get("description")))
                .body("items[" + at + "].sharedCategories", equalTo(List.of("Character", "Virtue")));
        Response logic = similar(owner, modusPonens.id(), 100);
        List<Map<String, Object>> logicItems = logic.path("items");
        logicItems.stream().filter(i -> Events.IDS.contains(i.get("id")))
                .forEach(i -> assertEquals(List.of(), i.get("sharedCategories"), "logic shares no category: " + i));
        similar(owner, aristotle.id(), 2).then().statusCode(200).body("items", hasSize(2));
    }

    @Test
    void aPrivateConceptOfAnotherUserNeverAppearsNorCounts() {
        String other = owner + "-other";
        Sent mine = concept(owner, "PUBLIC", "Stoic virtue",
                "Virtue is the only good: living in agreement with nature and reason, indifferent to fortune.",
                0.7, "Virtue", "Reason", "Nature");
        Sent publicNear = concept(owner, "PUBLIC", "Virtue and happiness in the Stoa",
                "For the Stoics happiness consists in virtue alone; externals such as wealth are indifferent.",
                0.7, "Virtue", "Happiness");
        // another user's private near-copy: the closest of all to 'mine'
        Sent secret = concept(other, "PRIVATE", "Stoic virtue (draft)",
                "Virtue is the only good: living in agreement with nature and reason, indifferent to fortune.",
                0.7, "Virtue", "Reason", "Nature");
        List.of(mine, publicNear, secret).forEach(s -> awaitEmbedded(s.id()));

        // its owner sees it first ...
        assertEquals(secret.id(), ours(similar(other, mine.id(), 100)).get(0));
        // ... nobody else sees it, nor a place kept for it: exactly the one other visible concept of this test
        for (String caller : List.of(owner, "sim-stranger")) {
            Response r = similar(caller, mine.id(), 100);
            r.then().statusCode(200);
            List<String> ids = r.path("items.id");
            assertFalse(ids.contains(secret.id()), caller + " must not see " + secret.id() + ": " + r.asString());
            assertTrue(ids.contains(publicNear.id()), r.asString());
            assertEquals(List.of(), new ArrayList<>(ids.stream().filter(i -> Events.IDS.contains(i))
                    .filter(i -> !i.equals(publicNear.id())).toList()), "no other of this run's concepts: " + ids);
        }
        assertEquals(publicNear.id(), ours(similar(owner, mine.id(), 100)).get(0));
        // the secret itself does not exist for others: 404, as everywhere
        similar(owner, secret.id(), 10).then().statusCode(404).contentType(PROBLEM)
                .body("type", equalTo("urn:dialectica:problem:not-found"));
        assertEquals(secret.id(), ours(given().auth().oauth2(TestJwt.admin("root")).queryParam("limit", 100)
                .when().get("/api/graph/concepts/" + mine.id() + "/similar")).get(0));
    }

    @Test
    void anEditOfTheTextReEmbedsAnEditOfAWeightDoesNot() {
        Sent s = concept(owner, "PRIVATE", "Deontology",
                "Morality is a matter of duties and rules binding whatever the consequences.", 0.5,
                "Duty", "Moral law");
        String key = awaitEmbedded(s.id());
        List<Object> vector = graph.one("MATCH (c:Concept {id: $id}) RETURN c.embedding AS v", Map.of("id", s.id()))
                .get("v").asList();
        String embeddedAt = graph.one("MATCH (c:Concept {id: $id}) RETURN c.embeddedAt AS t", Map.of("id", s.id()))
                .get("t").asString();

        // a weight: the membership changes, the text does not
        Map.Entry<String, String> m = s.memberships().entrySet().iterator().next();
        long unchangedBefore = worker.unchangedCount();
        long lsn = events.concept(s.id()).update(Tables.CONCEPT_CATEGORIES,
                Events.membership(m.getKey(), s.id(), m.getValue(), 0.5),
                Events.membership(m.getKey(), s.id(), m.getValue(), 0.9)).send();
        graph.awaitApplied(s.id(), lsn);
        // other concepts (a sweep over earlier runs' nodes) may be checked meanwhile: wait for an empty queue too
        Graph.until(() -> worker.unchangedCount() > unchangedBefore && worker.queued() == 0,
                "the weight edit checked by the worker");
        Record after = graph.one("""
                MATCH (c:Concept {id: $id})-[m:INCLUDES {id: $m}]->()
                RETURN c.embeddingKey AS key, c.embeddedAt AS t, c.embedding AS v, m.weight AS w""",
                Map.of("id", s.id(), "m", m.getKey()));
        assertEquals(0.9, after.get("w").asDouble(), 1e-9);
        assertEquals(key, after.get("key").asString());
        assertEquals(embeddedAt, after.get("t").asString(), "not embedded again");
        assertEquals(vector, after.get("v").asList());

        // the description: a new text, a new vector
        Map<String, Object> renamed = Events.with(s.row(), "description",
                "Kant's ethics: act only on the maxim you can will as a universal law; duty over inclination.");
        lsn = events.concept(s.id()).update(Tables.CONCEPTS, s.row(), renamed).send();
        graph.awaitApplied(s.id(), lsn);
        String newKey = awaitEmbedded(s.id());
        assertNotEquals(key, newKey);
        Record again = graph.one("MATCH (c:Concept {id: $id}) RETURN c.embedding AS v, c.embeddedAt AS t",
                Map.of("id", s.id()));
        assertNotEquals(vector, again.get("v").asList());
        assertEquals(ConceptText.DIMENSIONS, again.get("v").asList().size());

        // a category renamed (category topic): every concept including it gets a new text and vector
        String dutyId = s.memberships().values().iterator().next();
        long catLsn = events.category(dutyId).update(Tables.CATEGORIES, Events.category(dutyId, "Duty"),
                Events.category(dutyId, "Obligation")).send();
        graph.awaitApplied(dutyId, catLsn);
        String renamedKey = awaitEmbedded(s.id());
        assertNotEquals(newKey, renamedKey);
    }

    @Test
    void everyStoredVectorIsPublishedForSearchWithItsTextKey() throws Exception {
        Sent s = concept(owner, "PRIVATE", "Nicomachean friendship",
                "Friendships of utility, of pleasure and of character; only the last lasts.", 0.6,
                "Friendship", "Virtue");
        String key = awaitEmbedded(s.id());
        List<Object> stored = graph.one("MATCH (c:Concept {id: $id}) RETURN c.embedding AS v", Map.of("id", s.id()))
                .get("v").asList();
        ConceptEmbedding event = awaitPublished(s.id(), key);
        assertEquals(ConceptText.RECIPE, event.model());
        assertEquals(ConceptEmbedding.SCHEMA_VERSION, event.v());
        assertTrue(event.usable());
        assertEquals(ConceptText.DIMENSIONS, event.vector().length);
        for (int i = 0; i < stored.size(); i++) {
            assertEquals(((Number) stored.get(i)).floatValue(), event.vector()[i], 0f, "component " + i);
        }
        assertTrue(event.embeddedAt() != null);

        Graph.until(() -> key.equals(publishedKey(s.id())), "the acknowledged vector marked on the node");

        // a vector Kafka never acknowledged (here: the mark removed) is published again, from Neo4j, at the next check
        graph.one("MATCH (c:Concept {id: $id}) REMOVE c.embeddingPublishedKey RETURN c.id AS id", Map.of("id", s.id()));
        Map.Entry<String, String> m = s.memberships().entrySet().iterator().next();
        long lsn = events.concept(s.id()).update(Tables.CONCEPT_CATEGORIES,
                Events.membership(m.getKey(), s.id(), m.getValue(), 0.6),
                Events.membership(m.getKey(), s.id(), m.getValue(), 0.7)).send();
        graph.awaitApplied(s.id(), lsn);
        Graph.until(() -> key.equals(publishedKey(s.id())), "the vector published again and marked");
        assertEquals(2, published(s.id(), key).size(), "the same vector twice: stored once, published twice");

        // a new text: a new event with the new key
        Map<String, Object> renamed = Events.with(s.row(), "description", "Perfect friendship is between the good.");
        lsn = events.concept(s.id()).update(Tables.CONCEPTS, s.row(), renamed).send();
        graph.awaitApplied(s.id(), lsn);
        String newKey = awaitEmbedded(s.id());
        assertNotEquals(key, newKey);
        awaitPublished(s.id(), newKey);
    }

    private String publishedKey(String id) {
        return graph.one("MATCH (c:Concept {id: $id}) RETURN c.embeddingPublishedKey AS k", Map.of("id", id))
                .get("k").asString(null);
    }

    /** Every event of the concept with that key on this run's embeddings topic (read to its end). */
    private List<ConceptEmbedding> published(String conceptId, String key) throws Exception {
        List<ConceptEmbedding> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = embeddingConsumer()) {
            consumer.subscribe(List.of(config.topics().conceptEmbeddings()));
            int emptyPolls = 0;
            while (emptyPolls < 6) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !consumer.assignment().isEmpty()) {
                    emptyPolls++;
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    ConceptEmbedding event = mapper.readValue(record.value(), ConceptEmbedding.class);
                    if (conceptId.equals(event.conceptId()) && key.equals(event.key())) {
                        found.add(event);
                    }
                }
            }
        }
        return found;
    }

    private KafkaConsumer<String, byte[]> embeddingConsumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, GraphTestStack.KAFKA,
                ConsumerConfig.GROUP_ID_CONFIG, "similar-test-" + Events.id(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    }

    /** Reads this run's embeddings topic from the start until the concept's event with that key comes. */
    private ConceptEmbedding awaitPublished(String conceptId, String key) throws Exception {
        String topic = config.topics().conceptEmbeddings();
        try (KafkaConsumer<String, byte[]> consumer = embeddingConsumer()) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    ConceptEmbedding event = mapper.readValue(record.value(), ConceptEmbedding.class);
                    if (conceptId.equals(record.key()) && conceptId.equals(event.conceptId()) && key.equals(event.key())) {
                        return event;
                    }
                }
            }
        }
        throw new AssertionError("no event for " + conceptId + " with key " + key + " on " + topic);
    }

    @Test
    void problems() {
        Sent s = concept(owner, "PRIVATE", "Hylomorphism", "Form and matter.", 0.5, "Form");
        similar(owner, "not-a-uuid", 10).then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:dialectica:problem:bad-request"));
        similar(owner, s.id(), 0).then().statusCode(400).contentType(PROBLEM);
        similar(owner, s.id(), 101).then().statusCode(400).contentType(PROBLEM);
        similar(owner, Events.id(), 10).then().statusCode(404).contentType(PROBLEM);
        given().when().get("/api/graph/concepts/" + s.id() + "/similar").then().statusCode(401).contentType(PROBLEM);
        given().auth().oauth2(TestJwt.user(owner)).header("X-Consistency-Token", "nope")
                .when().get("/api/graph/concepts/" + s.id() + "/similar").then().statusCode(400).contentType(PROBLEM);
    }
}
