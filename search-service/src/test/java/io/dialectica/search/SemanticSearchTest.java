package io.dialectica.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.contracts.embedding.ConceptEmbedding;
import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.search.embedding.QueryEmbedder;
import io.dialectica.search.embedding.Vectors;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.dialectica.search.ChangeStream.CATEGORIES;
import static io.dialectica.search.ChangeStream.CONCEPTS;
import static io.dialectica.search.ChangeStream.MEMBERSHIPS;
import static io.dialectica.search.ChangeStream.category;
import static io.dialectica.search.ChangeStream.concept;
import static io.dialectica.search.ChangeStream.id;
import static io.dialectica.search.ChangeStream.insert;
import static io.dialectica.search.ChangeStream.membership;
import static io.dialectica.search.ChangeStream.update;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Semantic and hybrid search: real texts, the real model, vectors published on the embeddings topic as graph-service
 * publishes them (computed here with the same model and recipe), through the real projection into OpenSearch. Five
 * concepts on three themes (two virtue ethics, two philosophy of mind, one logic) in a tradition of their own, and
 * another user's private near-copy of the virtue theme.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(SearchTestStack.class)
class SemanticSearchTest {

    static final String TRADITION = "Semantic-" + UUID.randomUUID().toString().substring(0, 8);
    /** No word of it occurs in any concept of this test (checked: text mode finds nothing). */
    static final String QUERY = "how should a good person live";

    static ChangeStream stream;
    static KafkaProducer<String, byte[]> vectors;
    static Map<String, Concept> concepts;

    @Inject
    QueryEmbedder embedder;

    record Concept(String id, String owner, String name, String description, List<String> categories,
            Map<String, Object> row) {
        String text() {
            return ConceptText.of(name, description, categories);
        }
    }

    @BeforeAll
    static void open() {
        stream = new ChangeStream();
        vectors = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SearchTestStack.KAFKA,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    @AfterAll
    static void close() {
        stream.close();
        vectors.close();
    }

    @BeforeEach
    void data() {
        RestAssured.config = RestAssuredConfig.config()
                .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
        if (concepts != null) {
            return;
        }
        concepts = new LinkedHashMap<>();
        add("aristotle", create("alice", "PUBLIC", "Aristotelian virtue ethics",
                "Moral excellence is a settled disposition of character, acquired by habit and aimed at eudaimonia, "
                        + "human flourishing; courage and temperance lie in the mean between excess and deficiency.",
                "Virtue", "Character", "Eudaimonia", "Practical wisdom"));
        add("confucius", create("alice", "PUBLIC", "Confucian ethics of virtue",
                "Ren, humaneness, and li, ritual propriety, are cultivated through lifelong self-cultivation; the "
                        + "exemplary gentleman acts rightly from a character formed by moral habituation.",
                "Virtue", "Moral cultivation", "Character"));
        add("mindBody", create("alice", "PUBLIC", "The mind-body problem",
                "In what way do mental states such as thoughts, sensations and consciousness relate to physical "
                        + "states of the brain? Substance dualism against physicalism.",
                "Mind", "Consciousness", "Brain", "Dualism"));
        add("qualia", create("bob", "PUBLIC", "Qualia",
                "The subjective felt qualities of conscious experience, what it is like to see red or to feel pain, "
                        + "and whether any physical fact about the brain explains them.",
                "Consciousness", "Subjective experience", "Perception"));
        add("modusPonens", create("bob", "PUBLIC", "Modus ponens",
                "A rule of inference of deductive logic: from a conditional 'if P then Q' and its antecedent P, infer "
                        + "the consequent Q; valid by its form alone.",
                "Inference", "Validity", "Deduction"));
        // another user's private concept, closest of all to the query: never shown to anybody but mallory and admins
        add("secret", create("mallory", "PRIVATE", "What makes a human being good",
                "How one ought to live well: the virtues of an honest, kind and brave character, practised every day.",
                "Virtue", "Character"));
        for (Concept c : concepts.values()) {
            awaitVector(c.id(), publish(c.id(), c.text()));
        }
    }

    private static void add(String tag, Concept c) {
        concepts.put(tag, c);
    }

    private static String idOf(String tag) {
        return concepts.get(tag).id();
    }

    /** A concept with new categories, in one transaction as concept-service writes it; waits until searchable. */
    private static Concept create(String owner, String visibility, String name, String description,
            String... categoryNames) {
        String conceptId = id();
        Map<String, Object> row = concept(conceptId, owner, name, description, TRADITION, visibility, 1);
        ChangeStream.Tx tx = stream.tx().concept(conceptId, insert(CONCEPTS, row));
        for (String categoryName : categoryNames) {
            String categoryId = id();
            tx.concept(conceptId, insert(CATEGORIES, category(categoryId, categoryName, null)))
                    .concept(conceptId, insert(MEMBERSHIPS, membership(id(), conceptId, categoryId, 0.7)))
                    .category(categoryId, insert(CATEGORIES, category(categoryId, categoryName, null)));
        }
        Fixtures.awaitSearchable(tx.send());
        return new Concept(conceptId, owner, name, description, List.of(categoryNames), row);
    }

    /** Publishes the text's vector for the concept as graph-service does; returns the text key. */
    private String publish(String conceptId, String text) {
        String key = ConceptText.key(text);
        ConceptEmbedding event = ConceptEmbedding.of(conceptId, key, embedder.embed(text), Instant.now());
        try {
            vectors.send(new ProducerRecord<>(SearchTestStack.EMBEDDING_TOPIC, conceptId,
                    ChangeStream.JSON.writeValueAsBytes(event))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return key;
    }

    /** Waits until the concept's document holds the vector of that key (realtime GET), then until searchable. */
    private static void awaitVector(String conceptId, String key) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!key.equals(OpenSearchDocs.concept(conceptId).path("_source").path("embeddingKey").asText(null))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no vector " + key + " in " + OpenSearchDocs.concept(conceptId));
            }
            sleep(100);
        }
        OpenSearchDocs.call("POST", "/" + SearchTestStack.ALIAS + "/_refresh");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Response search(String token, String mode, String q) {
        var request = given().auth().oauth2(token).queryParam("tradition", TRADITION).queryParam("size", 100);
        if (mode != null) {
            request.queryParam("mode", mode);
        }
        if (q != null) {
            request.queryParam("q", q);
        }
        return request.when().get("/api/search");
    }

    @Test
    void aSemanticQueryFindsTheVirtueConceptsFirstAlthoughNoWordMatches() {
        // no word of the query occurs: the text search finds nothing
        search(TestJwt.user("alice"), null, QUERY).then().statusCode(200).body("total", equalTo(0));

        Response r = search(TestJwt.user("alice"), "semantic", QUERY);
        r.then().statusCode(200).body("total", equalTo(5));
        List<String> ids = r.path("items.id");
        assertEquals(Set.of(idOf("aristotle"), idOf("confucius")), Set.copyOf(ids.subList(0, 2)),
                "the virtue ethics concepts first: " + names(r));
        List<Double> scores = r.path("items.score");
        for (int i = 1; i < scores.size(); i++) {
            assertTrue(scores.get(i - 1) >= scores.get(i), "best first: " + scores);
        }
        // the score is the cosine similarity of the query's and the concept's vectors
        float[] q = embedder.embed(QUERY);
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Concept concept = concepts.values().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            assertEquals(Vectors.dot(q, embedder.embed(concept.text())), scores.get(i), 1e-4, concept.name());
        }

        // the same ranking through the token path (read-your-writes honoured as for text search)
        long lsn = ChangeStream.nextLsn();
        stream.watermarks(lsn);
        given().auth().oauth2(TestJwt.user("alice")).header("X-Consistency-Token", ChangeStream.token(lsn))
                .queryParam("tradition", TRADITION).queryParam("mode", "SEMANTIC").queryParam("q", QUERY)
                .when().get("/api/search")
                .then().statusCode(200).body("total", equalTo(5));
    }

    @Test
    void aPrivateConceptOfAnotherUserNeverAppearsNorCounts() {
        for (String caller : List.of("alice", "bob")) {
            for (String mode : List.of("semantic", "hybrid")) {
                Response r = search(TestJwt.user(caller), mode, mode.equals("semantic") ? QUERY : "virtue character");
                r.then().statusCode(200);
                List<String> ids = r.path("items.id");
                assertFalse(ids.contains(idOf("secret")), caller + " " + mode + " must not see the secret: " + names(r));
                int expected = mode.equals("semantic") ? 5 : 2;
                assertEquals(expected, (int) r.<Integer>path("total"), caller + " " + mode + ": " + names(r));
            }
        }
        // its owner and admins find it, first: it is the closest to the query
        for (String token : List.of(TestJwt.user("mallory"), TestJwt.admin("root"))) {
            Response r = search(token, "semantic", QUERY);
            r.then().statusCode(200).body("total", equalTo(6)).body("items[0].id", equalTo(idOf("secret")));
        }
    }

    @Test
    void hybridRanksTheTextMatchesByTextScoreAndCosineCombined() {
        String query = "virtue of character";
        Response text = search(TestJwt.user("alice"), null, query);
        text.then().statusCode(200);
        Response hybrid = search(TestJwt.user("alice"), "hybrid", query);
        hybrid.then().statusCode(200);
        // the same candidates as the text search (only text matches), each scored by the documented formula
        List<String> textIds = text.path("items.id");
        List<String> hybridIds = hybrid.path("items.id");
        assertEquals(Set.copyOf(textIds), Set.copyOf(hybridIds));
        assertEquals((int) text.<Integer>path("total"), (int) hybrid.<Integer>path("total"));
        assertTrue(hybridIds.size() >= 2, names(hybrid).toString());
        List<Double> textScores = text.path("items.score");
        double best = textScores.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        Map<String, Double> textScore = new HashMap<>();
        for (int i = 0; i < textIds.size(); i++) {
            textScore.put(textIds.get(i), textScores.get(i));
        }
        float[] q = embedder.embed(query);
        List<Double> hybridScores = hybrid.path("items.score");
        for (int i = 0; i < hybridIds.size(); i++) {
            String id = hybridIds.get(i);
            Concept c = concepts.values().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            double expected = 0.5 * textScore.get(id) / best + 0.5 * Math.max(0, Vectors.dot(q, embedder.embed(c.text())));
            assertEquals(expected, hybridScores.get(i), 1e-4, c.name());
            if (i > 0) {
                assertTrue(hybridScores.get(i - 1) >= hybridScores.get(i), "best first: " + hybridScores);
            }
        }
        // highlights stay (they come from the text query)
        assertTrue(hybrid.<Map<String, Object>>path("items[0].highlights").size() > 0, hybrid.asString());
        // pages cut the ranked candidates
        given().auth().oauth2(TestJwt.user("alice")).queryParam("tradition", TRADITION).queryParam("mode", "hybrid")
                .queryParam("q", query).queryParam("size", 1).queryParam("page", 1).when().get("/api/search")
                .then().statusCode(200).body("items[0].id", equalTo(hybridIds.get(1)));
    }

    @Test
    void aVectorArrivingBeforeItsConceptIsTakenAndAStaleOneIsReplaced() {
        // graph-service may be ahead of this projection: the vector comes first, the concept after
        String conceptId = id();
        String name = "Stoic apatheia";
        String description = "Freedom from destructive passions through reason; the sage is undisturbed.";
        String key = publish(conceptId, ConceptText.of(name, description, List.of()));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!OpenSearchDocs.get(SearchTestStack.EMBEDDINGS, conceptId).path("found").asBoolean(false)) {
            assertTrue(System.nanoTime() < deadline, "the vector reaches the side index");
            sleep(100);
        }
        Map<String, Object> row = concept(conceptId, "alice", name, description, TRADITION + "-stoa", "PUBLIC", 1);
        Fixtures.awaitSearchable(stream.tx().concept(conceptId, insert(CONCEPTS, row)).send());
        JsonNode doc = OpenSearchDocs.concept(conceptId).path("_source");
        assertEquals(key, doc.path("embeddingKey").asText(), "taken with the document's first write: " + doc);
        assertEquals(ConceptText.DIMENSIONS, Vectors.decode(doc.path("embedding").asText()).length);

        // a new text: the document keeps its (now stale) vector until the new one comes
        Map<String, Object> renamed = new LinkedHashMap<>(row);
        renamed.put("description", "Tranquillity of mind, reached by judging rightly what is up to us.");
        renamed.put("version", 2);
        Fixtures.awaitSearchable(stream.tx().concept(conceptId, update(CONCEPTS, row, renamed)).send());
        assertEquals(key, OpenSearchDocs.concept(conceptId).path("_source").path("embeddingKey").asText());
        given().auth().oauth2(TestJwt.user("alice")).queryParam("tradition", TRADITION + "-stoa")
                .queryParam("mode", "semantic").queryParam("q", "calm of the soul").when().get("/api/search")
                .then().statusCode(200).body("items.id", hasItem(conceptId));
        // a vector of another (older) text never replaces it, the new text's does
        String newKey = publish(conceptId, ConceptText.of(name, (String) renamed.get("description"), List.of()));
        assertNotEquals(key, newKey);
        awaitVector(conceptId, newKey);
    }

    @Test
    void aNewVectorBecomesSearchableWithoutAnExplicitRefreshAndNoCachedAnswerHidesIt() {
        // a concept whose vector has not come yet: a semantic search does not find it, and that answer is cached
        String conceptId = id();
        String tradition = TRADITION + "-sceptic";
        String name = "Pyrrhonian suspension of judgement";
        String description = "Withholding assent on every disputed question, and the tranquillity that follows it.";
        Map<String, Object> row = concept(conceptId, "alice", name, description, tradition, "PUBLIC", 1);
        Fixtures.awaitSearchable(stream.tx().concept(conceptId, insert(CONCEPTS, row)).send());
        // the projector's own refresh of that write (at most publish-interval, 1 s, later) is behind us: only a
        // refresh asked for by the vector's write can bump the cache generation after this point
        sleep(2_000);
        for (int i = 0; i < 2; i++) {
            semanticIn(tradition).then().statusCode(200).body("total", equalTo(0));
        }

        // the vector's write is made searchable by the projector's next refresh, which also bumps the cache
        // generation: nobody refreshes here, and the cached empty answer must not be served afterwards
        String key = publish(conceptId, ConceptText.of(name, description, List.of()));
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> found = List.of();
        while (!found.contains(conceptId) && System.nanoTime() < deadline) {
            sleep(100);
            found = semanticIn(tradition).then().statusCode(200).extract().jsonPath().getList("items.id");
        }
        assertEquals(List.of(conceptId), found, "searchable by meaning within 10 s of its vector");
        assertEquals(key, OpenSearchDocs.concept(conceptId).path("_source").path("embeddingKey").asText());
    }

    private static Response semanticIn(String tradition) {
        return given().auth().oauth2(TestJwt.user("alice")).queryParam("tradition", tradition)
                .queryParam("mode", "semantic").queryParam("q", "doubt about everything").when().get("/api/search");
    }

    @Test
    void modesAreValidated() {
        for (String[] bad : new String[][] {{"fuzzy", QUERY, "mode"}, {"semantic", null, "q"}, {"hybrid", " ", "q"}}) {
            search(TestJwt.user("alice"), bad[0], bad[1])
                    .then().statusCode(400).contentType(startsWith("application/problem+json"))
                    .body("type", equalTo("urn:dialectica:problem:bad-request"))
                    .body("errors.field", hasItem(bad[2]));
        }
        // text is the default and may be named
        search(TestJwt.user("alice"), "text", "virtue").then().statusCode(200).body("total", equalTo(2));
        given().auth().oauth2(TestJwt.user("alice")).header("X-Consistency-Token", "nope")
                .queryParam("mode", "semantic").queryParam("q", QUERY).when().get("/api/search")
                .then().statusCode(400).body("errors.field", hasItem("X-Consistency-Token"));
        given().queryParam("mode", "semantic").queryParam("q", QUERY).when().get("/api/search")
                .then().statusCode(401).contentType(startsWith("application/problem+json"));
    }

    private static List<String> names(Response r) {
        return new ArrayList<>(r.path("items.name"));
    }
}
