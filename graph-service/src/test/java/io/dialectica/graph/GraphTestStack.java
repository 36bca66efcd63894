package io.dialectica.graph;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * This run's own change topics (3 partitions each) and consumer group on the local Kafka, so the tests
 * never read another run's or the connector's records; deleted again when the tests end. Neo4j is the
 * local stack's (bolt://127.0.0.1:17687): the tests use random ids and remove their nodes.
 */
public class GraphTestStack implements QuarkusTestResourceLifecycleManager {

    public static final String KAFKA = "127.0.0.1:19092";
    public static final int PARTITIONS = 3;
    public static final String NEO4J = "bolt://127.0.0.1:17687";

    private String conceptTopic;
    private String categoryTopic;
    private String embeddingTopic;

    @Override
    public Map<String, String> start() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        conceptTopic = "graph-test-" + run + ".concept-changes";
        categoryTopic = "graph-test-" + run + ".category-changes";
        // created by graph-service's publisher on first use, as locally (compacted)
        embeddingTopic = "graph-test-" + run + ".concept-embeddings";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(conceptTopic, PARTITIONS, (short) 1),
                    new NewTopic(categoryTopic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating the test topics failed (is Kafka up on " + KAFKA + "?)", e);
        }
        return Map.of(
                "dialectica.graph.kafka.bootstrap-servers", KAFKA,
                "dialectica.graph.kafka.group-id", "graph-test-" + run,
                "dialectica.graph.topics.concept-changes", conceptTopic,
                "dialectica.graph.topics.category-changes", categoryTopic,
                "dialectica.graph.topics.concept-embeddings", embeddingTopic);
    }

    @Override
    public void stop() {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(conceptTopic, categoryTopic)).all().get(30, TimeUnit.SECONDS);
            admin.deleteTopics(List.of(embeddingTopic)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: a left-over test topic holds a few kilobytes
        }
        removeProgressNodes(List.of(conceptTopic, categoryTopic));
    }

    /** The (:ProjectionProgress) nodes of a run's topics, which the projector wrote into the shared Neo4j. */
    public static void removeProgressNodes(List<String> topics) {
        try (org.neo4j.driver.Driver driver = org.neo4j.driver.GraphDatabase.driver(NEO4J, org.neo4j.driver.AuthTokens.none());
             org.neo4j.driver.Session session = driver.session()) {
            session.run("MATCH (p:ProjectionProgress) WHERE p.topic IN $topics DETACH DELETE p",
                    Map.of("topics", topics)).consume();
        } catch (RuntimeException e) {
            // best effort: a left-over node is a few bytes
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }
}
