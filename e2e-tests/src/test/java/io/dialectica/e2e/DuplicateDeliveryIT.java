package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.ConvergenceReport;
import io.dialectica.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A duplicate delivery at the system level: every change group of a concept that the projectors already
 * applied (create, updates, a removal) is copied from the change topic and published again, verbatim, to
 * its partition. Both projectors must count every one as a repeat and change nothing: the convergence
 * checker still finds no difference and the graph answers as before.
 */
@ExtendWith(Stack.class)
class DuplicateDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void republishedGroupsAreRepeatsAndChangeNothing() throws Exception {
        String user = TestJwt.user("duplicate-delivery");
        Response created = given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of(
                "name", "Republished", "visibility", "PUBLIC", "tradition", "Stoic",
                "categories", List.of(Map.of("name", "Logos", "weight", 0.9), Map.of("name", "Pneuma", "weight", 0.4),
                        Map.of("name", "Tonos", "weight", 0.2)),
                "relations", List.of(Map.of("from", "Pneuma", "to", "Logos", "type", "EXEMPLIFIES"))))
                .when().post("/api/concepts");
        created.then().statusCode(201);
        String id = created.path("id");
        String tonos = created.path("categories.find { it.name == 'Tonos' }.id");
        String pneuma = created.path("categories.find { it.name == 'Pneuma' }.id");
        given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of("weight", 0.55))
                .when().put("/api/concepts/" + id + "/categories/" + pneuma).then().statusCode(200);
        given().auth().oauth2(user).contentType(ContentType.JSON)
                .body(Map.of("from", "Tonos", "to", "Pneuma", "type", "PART_OF", "rationale", "tension of the pneuma"))
                .when().post("/api/concepts/" + id + "/relations").then().statusCode(201);
        String token = given().auth().oauth2(user).when().delete("/api/concepts/" + id + "/categories/" + tonos)
                .then().statusCode(204).extract().header("X-Consistency-Token");
        Response before = given().auth().oauth2(user).header("X-Consistency-Token", token)
                .when().get("/api/graph/concepts/" + id);
        before.then().statusCode(200);
        given().auth().oauth2(user).header("X-Consistency-Token", token).queryParam("q", "Republished")
                .when().get("/api/search").then().statusCode(200).body("items[0].id", equalTo(id));

        List<ConsumerRecord<String, byte[]>> records = recordsOf(id);
        // every group closes with one record (a group the connector re-delivered after a crash closes twice)
        long groups = records.stream().filter(r -> closesGroup(r) != null).count();
        assertEquals(4, records.stream().map(DuplicateDeliveryIT::closesGroup).filter(java.util.Objects::nonNull).distinct().count(),
                "create, weight, relation, removal: one source transaction each");
        double graphBefore = FaultToleranceIT.repeats(Stack.graphService());
        double searchBefore = FaultToleranceIT.repeats(Stack.searchService());

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ConsumerRecord<String, byte[]> record : records) {
                producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(), record.value(), record.headers()));
            }
            producer.flush();
        }

        Instant deadline = Instant.now().plusSeconds(30);
        while ((FaultToleranceIT.repeats(Stack.graphService()) < graphBefore + groups
                || FaultToleranceIT.repeats(Stack.searchService()) < searchBefore + groups) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertEquals(graphBefore + groups, FaultToleranceIT.repeats(Stack.graphService()), "graph-service repeats");
        assertEquals(searchBefore + groups, FaultToleranceIT.repeats(Stack.searchService()), "search-service repeats");

        try (ConvergenceChecker checker = Stack.checker()) {
            ConvergenceReport report = checker.check(List.of(id));
            assertTrue(report.converged(), report.describe());
        }
        // the graph still stands at the last real write
        given().auth().oauth2(user).when().get("/api/graph/concepts/" + id).then().statusCode(200)
                .body("appliedLsn", equalTo(before.path("appliedLsn")))
                .body("categories.size()", equalTo(2)).body("relations.size()", equalTo(1));
    }

    /** The group's commit LSN if this record closes a change group, else null. */
    private static Long closesGroup(ConsumerRecord<String, byte[]> record) {
        try {
            JsonNode envelope = JSON.readTree(record.value());
            return "change".equals(envelope.path("kind").asText())
                    && envelope.path("txIndex").asInt() == envelope.path("txSize").asInt() - 1
                    ? envelope.path("commitLsn").asLong() : null;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every record of this concept on the concept topic, in partition order. */
    private static List<ConsumerRecord<String, byte[]>> recordsOf(String conceptId) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Stack.CONCEPT_TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plusSeconds(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (conceptId.equals(record.key())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }
}
