package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.Lsn;
import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.ConvergenceReport;
import io.dialectica.e2e.convergence.Neo4jProjection;
import io.dialectica.e2e.convergence.PostgresTruth;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.neo4j.driver.Session;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./dialectica rebuild graph} ({@code POST /admin/rebuild} on graph-service) on the whole chain: concepts
 * written through concept-service, captured by cdc-connector, projected by graph-service into this run's Neo4j.
 * (a) A graph damaged by hand is equal to PostgreSQL again after a rebuild. (b) A rebuild while a writer keeps
 * writing and readers keep reading: no read fails, the graph converges, and nothing the stream applied above the
 * snapshot LSN was overwritten by the snapshot (every concept's {@code appliedLsn} is its last change group's, or S).
 * Runs on the shared e2e stack: the rebuild reads every concept of concepts_test, which every class keeps in step
 * with the graph.
 */
@ExtendWith(Stack.class)
class RebuildGraphIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = TestJwt.admin("rebuild-operator");

    @Test
    void aDamagedGraphEqualsPostgresAfterARebuild() throws Exception {
        String user = TestJwt.user("rebuild-" + Stack.RUN);
        List<String> ids = new ArrayList<>();
        String token = null;
        for (int i = 0; i < 3; i++) {
            Response created = given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of(
                    "name", "Rebuilt " + i, "visibility", "PUBLIC", "tradition", "Rebuild",
                    "categories", List.of(Map.of("name", "Rebuild Being", "weight", 0.9),
                            Map.of("name", "Rebuild Nothing " + i, "weight", 0.4)),
                    "relations", List.of(Map.of("from", "Rebuild Being", "to", "Rebuild Nothing " + i, "type", "NEGATES"))))
                    .when().post("/api/concepts");
            created.then().statusCode(201);
            ids.add(created.path("id"));
            token = created.header("X-Consistency-Token");
        }
        given().auth().oauth2(user).header("X-Consistency-Token", token).when().get("/api/graph/concepts/" + ids.get(2))
                .then().statusCode(200);

        String strayRelation = UUID.randomUUID().toString();
        String strayConcept = UUID.randomUUID().toString();
        String strayCategory = UUID.randomUUID().toString();
        try (Neo4jProjection neo4j = new Neo4jProjection(Stack.neo4j().boltUri()); Session session = neo4j.driver().session()) {
            // the damage: a concept gone, a stray relation between two real categories, a weight changed, and a
            // concept and a category nobody wrote
            session.run("MATCH (c:Concept {id: $id}) DETACH DELETE c", Map.of("id", ids.get(0))).consume();
            session.run("""
                    MATCH (:Concept {id: $id})-[:INCLUDES]->(a:Category), (:Concept {id: $id})-[:INCLUDES]->(b:Category)
                    WHERE a.id < b.id
                    CREATE (a)-[:IMPLIES {id: $rel, conceptId: $ghost, weight: 0.3, owner: 'nobody', visibility: 'PUBLIC'}]->(b)""",
                    Map.of("id", ids.get(1), "rel", strayRelation, "ghost", UUID.randomUUID().toString())).consume();
            session.run("MATCH (:Concept {id: $id})-[i:INCLUDES]->() SET i.weight = 0.01", Map.of("id", ids.get(2))).consume();
            session.run("CREATE (:Concept {id: $id, name: 'Stray', visibility: 'PUBLIC', appliedLsn: 1})",
                    Map.of("id", strayConcept)).consume();
            session.run("CREATE (:Category {id: $id, name: 'Stray category'})", Map.of("id", strayCategory)).consume();
        }
        try (ConvergenceChecker checker = graphChecker()) {
            ConvergenceReport damaged = checker.checkAll();
            assertFalse(damaged.converged(), "the damage is visible to the checker");
        }

        // an operator's call; a user's is refused
        given().auth().oauth2(user).when().post(Stack.graphService().baseUrl() + "/admin/rebuild")
                .then().statusCode(403).contentType("application/problem+json");
        JsonNode result = rebuild();
        assertTrue(result.path("conceptsWritten").asLong() >= 3, result.toString());
        assertTrue(result.path("conceptsSwept").asLong() >= 1, "the stray concept: " + result);
        assertTrue(result.path("relationsSwept").asLong() >= 1, "the stray relation: " + result);
        assertTrue(result.path("categoriesSwept").asLong() >= 1, "the stray category: " + result);

        try (ConvergenceChecker checker = graphChecker()) {
            ConvergenceReport report = checker.checkAll();
            assertTrue(report.converged(), report.describe());
        }
        long s = Lsn.parse(result.path("snapshotLsn").asText());
        try (Neo4jProjection neo4j = new Neo4jProjection(Stack.neo4j().boltUri()); Session session = neo4j.driver().session()) {
            assertEquals(0, session.run("MATCH ()-[x {id: $id}]->() RETURN count(x) AS n", Map.of("id", strayRelation))
                    .single().get("n").asLong(), "stray relation removed");
            assertEquals(0, session.run("MATCH (k:Category {id: $id}) RETURN count(k) AS n", Map.of("id", strayCategory))
                    .single().get("n").asLong(), "stray orphan category removed");
            // the stray concept leaves a tombstone at S, as a deleted concept does
            assertEquals(s, session.run("MATCH (t:DeletedConcept {id: $id}) RETURN t.appliedLsn AS lsn",
                    Map.of("id", strayConcept)).single().get("lsn").asLong());
            assertEquals(s, session.run("MATCH (c:Concept {id: $id}) RETURN c.appliedLsn AS lsn",
                    Map.of("id", ids.get(0))).single().get("lsn").asLong(), "the deleted concept is back, at S");
        }
        // the API answers from the rebuilt graph, and later writes apply on top of it
        String renamed = given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of("weight", 0.77))
                .when().put("/api/concepts/" + ids.get(0) + "/categories/" + categoryId(user, ids.get(0), "Rebuild Being"))
                .then().statusCode(200).extract().header("X-Consistency-Token");
        given().auth().oauth2(user).header("X-Consistency-Token", renamed).when().get("/api/graph/concepts/" + ids.get(0))
                .then().statusCode(200).body("categories.find { it.name == 'Rebuild Being' }.weight", equalTo(0.77f));
    }

    @Test
    void aRebuildWhileWritesContinueServesEveryReadAndConverges() throws Exception {
        Instant t0 = Instant.now();
        String user = TestJwt.user("rebuild-reader-" + Stack.RUN);
        // concepts the readers follow (the storm writes its own): enough that the rebuild takes a while
        List<String[]> followed = seed(user, 120);
        log(t0, "seeded " + followed.size() + " concepts");

        ChangeStorm storm = new ChangeStorm(Stack.conceptService().baseUrl(), 3, 40, Stack.RUN + "-rebuild");
        JsonNode result;
        BackgroundReaders readers = BackgroundReaders.start(2, 100, reader -> new FollowingReader(user, followed));
        try (readers; storm) {
            storm.start();
            storm.awaitWrites(100);
            int readsBefore = readers.reads();
            log(t0, "rebuild starts at " + storm.writes() + " writes");
            result = rebuild();
            log(t0, "rebuild answered at " + storm.writes() + " writes, " + (readers.reads() - readsBefore)
                    + " reads during it: " + result);
            assertTrue(readers.reads() - readsBefore > 0, "reads ran during the rebuild");
            storm.awaitWrites(storm.writes() + 40);
        }
        assertTrue(storm.problems().isEmpty(), "writer problems: " + storm.problems());
        assertTrue(readers.errors().isEmpty(), readers.reads() + " reads, failed: " + readers.errors());
        assertTrue(result.path("conceptsWritten").asLong() >= followed.size(), result.toString());

        long s = Lsn.parse(result.path("snapshotLsn").asText());
        try (ConvergenceChecker checker = graphChecker()) {
            Projectors.awaitPosition(Stack.graphService(), checker.truth().currentWalLsn(), Duration.ofSeconds(60));
            ConvergenceReport report = checker.checkAll();
            log(t0, report.describe().lines().findFirst().orElse(""));
            assertTrue(report.converged(), report.describe());
        }
        // nothing the stream applied above S was overwritten by the snapshot: a concept whose last change group is
        // above S holds exactly that group's commit LSN; any other one was rewritten from the snapshot (S)
        Map<String, Long> lastGroup = lastGroupOfEveryConcept();
        int above = 0;
        try (Neo4jProjection neo4j = new Neo4jProjection(Stack.neo4j().boltUri()); Session session = neo4j.driver().session()) {
            for (var row : session.run("MATCH (c:Concept) RETURN c.id AS id, c.appliedLsn AS lsn").list()) {
                String id = row.get("id").asString();
                long applied = row.get("lsn").asLong();
                Long last = lastGroup.get(id);
                assertTrue(last != null, "concept " + id + " has no change group on the topic");
                if (last > s) {
                    above++;
                    assertEquals(last, applied, "concept " + id + ": its last group " + Lsn.format(last)
                            + " is above the snapshot " + Lsn.format(s) + " and must be what the graph holds");
                } else {
                    assertTrue(applied >= last && applied <= s, "concept " + id + " at " + Lsn.format(applied)
                            + ": last group " + Lsn.format(last) + ", snapshot " + Lsn.format(s));
                }
            }
        }
        log(t0, above + " concepts written above the snapshot, each at its last group; " + readers.reads()
                + " reads without an error");
        assertTrue(above > 0, "the stream wrote above the snapshot while the rebuild ran");
    }

    /** Creates {@code n} concepts (two categories and a relation each); returns {id, token} pairs. */
    private static List<String[]> seed(String user, int n) throws Exception {
        return ConceptSeeds.create(user, n, k -> Map.of(
                "name", "Followed " + k, "visibility", "PUBLIC", "tradition", "Rebuild",
                "categories", List.of(Map.of("name", "Rebuild Essence", "weight", 0.5),
                        Map.of("name", "Rebuild Appearance " + (k % 10), "weight", 0.25)),
                "relations", List.of(Map.of("from", "Rebuild Essence", "to", "Rebuild Appearance " + (k % 10),
                        "type", "GROUNDS")))).stream()
                .map(created -> new String[] {created.id(), created.consistencyToken()}).toList();
    }

    /**
     * A token read of one followed concept and a read across concepts per round; anything but the full answer is an
     * error. Sent to graph-service itself: the gateway's per-user rate limit is not under test here.
     */
    private static final class FollowingReader implements BackgroundReaders.Reader {
        private final List<String[]> followed;
        private final ConceptClient api;

        FollowingReader(String user, List<String[]> followed) {
            this.followed = followed;
            api = new ConceptClient(Stack.graphService().baseUrl(), user);
        }

        @Override
        public int round(int i, Consumer<String> errors) {
            String[] concept = followed.get(i % followed.size());
            ConceptClient.Reply one = api.get("/api/graph/concepts/" + concept[0],
                    Map.of("X-Consistency-Token", concept[1]));
            if (one.status() != 200 || one.body().path("categories").size() != 2
                    || one.body().path("relations").size() != 1) {
                errors.accept("GET concept " + concept[0] + ": " + one.status() + " " + one.body());
            }
            ConceptClient.Reply related = api.get("/api/graph/concepts/" + concept[0] + "/related?limit=5");
            if (related.status() != 200 || related.body().path("items").isEmpty()) {
                errors.accept("GET related " + concept[0] + ": " + related.status() + " " + related.body());
            }
            return 2;
        }

        @Override
        public void close() {
            api.close();
        }
    }

    private static JsonNode rebuild() throws IOException {
        Response response = given().auth().oauth2(ADMIN).when().post(Stack.graphService().baseUrl() + "/admin/rebuild");
        response.then().statusCode(200);
        return JSON.readTree(response.asString());
    }

    private static String categoryId(String user, String conceptId, String name) {
        return given().auth().oauth2(user).when().get("/api/concepts/" + conceptId).then().statusCode(200)
                .extract().path("categories.find { it.name == '" + name + "' }.id");
    }

    /** The truth and the graph only (the search projection is not rebuilt here). */
    private static ConvergenceChecker graphChecker() {
        return ConvergenceChecker.of(new PostgresTruth(Stack.jdbcUrl(), Stack.DB_USER, Stack.DB_PASSWORD),
                new Neo4jProjection(Stack.neo4j().boltUri()));
    }

    /** The commit LSN of the last change group of every concept on this run's concept topic. */
    private static Map<String, Long> lastGroupOfEveryConcept() throws IOException {
        Map<String, Long> last = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Stack.CONCEPT_TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plusSeconds(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode envelope = JSON.readTree(record.value());
                    if (record.key() != null && "change".equals(envelope.path("kind").asText())) {
                        last.merge(record.key(), envelope.path("commitLsn").asLong(), Math::max);
                    }
                }
            }
        }
        return last;
    }

    private static void log(Instant t0, String message) {
        System.out.printf("[RebuildGraphIT +%5.1fs] %s%n", Duration.between(t0, Instant.now()).toMillis() / 1000.0, message);
    }
}
