package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The history of a concept through the gateway, built by concept-service's consumer from the change stream the real
 * cdc-connector publishes: five edits by the owner are five versions (after the creation) with exact diffs and the
 * exact states; the same change groups published again add nothing; another user cannot read the history of a
 * private concept; after a deletion (by an admin) the history stays readable by the owner and admins only.
 */
@ExtendWith(Stack.class)
class ConceptHistoryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "X-Consistency-Token";

    private final String alice = TestJwt.user("alice-history-e2e");
    private final String bob = TestJwt.user("bob-history-e2e");
    private final String root = TestJwt.admin("root-history-e2e");
    /** Category names of this run only: shared categories another test made first would bring their descriptions. */
    private final String tag = java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 8).replaceAll("[0-9]", "k");
    private final String beingName = "Being " + tag;
    private final String nothingName = "Nothing " + tag;
    private final String becomingName = "Becoming " + tag;

    @Test
    void fiveEditsAreFiveVersionsWithExactDiffsRedeliveryAddsNothingAndPrivacyHolds() throws Exception {
        Response created = given().auth().oauth2(alice).contentType(ContentType.JSON).body(Map.of(
                "name", "A history", "description", "First words", "tradition", "Hegelian", "visibility", "PRIVATE",
                "categories", List.of(Map.of("name", beingName, "weight", 0.9, "x", 0, "y", 0),
                        Map.of("name", nothingName, "weight", 0.9, "x", 200, "y", 0)),
                "relations", List.of(Map.of("from", beingName, "to", nothingName, "type", "NEGATES", "weight", 0.8,
                        "rationale", "pure being is pure nothing"))))
                .when().post("/api/concepts");
        created.then().statusCode(201);
        String id = created.path("id");
        String being = created.path("categories.find { it.name == '" + beingName + "' }.id");
        String nothing = created.path("categories.find { it.name == '" + nothingName + "' }.id");
        String negates = created.path("relations[0].id");
        List<JsonNode> states = new ArrayList<>();
        states.add(read(id));

        // 1: the whole concept replaced: name and description
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("If-Match", "\"1\"").body(Map.of(
                "name", "A history, revised", "description", "Second words", "tradition", "Hegelian", "visibility", "PRIVATE",
                "categories", List.of(Map.of("name", beingName, "weight", 0.9, "x", 0, "y", 0),
                        Map.of("name", nothingName, "weight", 0.9, "x", 200, "y", 0)),
                "relations", List.of(Map.of("from", beingName, "to", nothingName, "type", "NEGATES", "weight", 0.8,
                        "rationale", "pure being is pure nothing"))))
                .when().put("/api/concepts/" + id).then().statusCode(200);
        states.add(read(id));
        // 2: a category added
        String becoming = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("name", becomingName, "weight", 1.0, "x", 100, "y", 150))
                .when().post("/api/concepts/" + id + "/categories").then().statusCode(201).extract().path("id");
        states.add(read(id));
        // 3: a category re-weighted and moved
        given().auth().oauth2(alice).contentType(ContentType.JSON).body(Map.of("weight", 0.5, "x", 10))
                .when().put("/api/concepts/" + id + "/categories/" + being).then().statusCode(200);
        states.add(read(id));
        // 4: a relation added
        String sublates = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("from", becomingName, "to", beingName, "type", "SUBLATES", "weight", 1.0))
                .when().post("/api/concepts/" + id + "/relations").then().statusCode(201).extract().path("id");
        states.add(read(id));
        // 5: a category removed, and the relation that touches it with it
        String lastToken = given().auth().oauth2(alice).when().delete("/api/concepts/" + id + "/categories/" + nothing)
                .then().statusCode(204).extract().header(TOKEN);
        states.add(read(id));

        JsonNode history = history(alice, id, lastToken);
        assertEquals(6, history.path("total").asInt(), history.toPrettyString());
        JsonNode items = history.path("items");
        for (int i = 0; i < 6; i++) {
            JsonNode item = items.get(i);
            assertEquals(6 - i, item.path("version").asInt(), "newest first");
            assertEquals(i == 5 ? "CREATED" : "CHANGED", item.path("kind").asText());
            assertEquals("alice-history-e2e", item.path("who").asText(), "the writing user, from the change itself");
        }
        // the exact diffs, newest first
        Map<String, Object> beingView = category(being, beingName, 0.9, 0, 0);
        Map<String, Object> nothingView = category(nothing, nothingName, 0.9, 200, 0);
        Map<String, Object> becomingView = category(becoming, becomingName, 1.0, 100, 150);
        Map<String, Object> negatesView = relation(negates, beingName, nothingName, being, nothing, "NEGATES", 0.8,
                "pure being is pure nothing");
        Map<String, Object> sublatesView = relation(sublates, becomingName, beingName, becoming, being, "SUBLATES", 1.0, null);
        assertDiff(items.get(5), List.of(field("name", null, "A history"), field("description", null, "First words"),
                        field("tradition", null, "Hegelian"), field("visibility", null, "PRIVATE")),
                categories(List.of(beingView, nothingView), List.of(), List.of(), List.of()),
                relations(List.of(negatesView), List.of(), List.of()));
        assertDiff(items.get(4), List.of(field("name", "A history", "A history, revised"),
                        field("description", "First words", "Second words")),
                categories(List.of(), List.of(), List.of(), List.of()), relations(List.of(), List.of(), List.of()));
        assertDiff(items.get(3), List.of(), categories(List.of(becomingView), List.of(), List.of(), List.of()),
                relations(List.of(), List.of(), List.of()));
        assertDiff(items.get(2), List.of(), categories(List.of(), List.of(),
                        List.of(Map.of("id", being, "name", beingName, "from", 0.9, "to", 0.5)),
                        List.of(Map.of("id", being, "name", beingName, "from", Map.of("x", 0.0, "y", 0.0),
                                "to", Map.of("x", 10.0, "y", 0.0)))),
                relations(List.of(), List.of(), List.of()));
        assertDiff(items.get(1), List.of(), categories(List.of(), List.of(), List.of(), List.of()),
                relations(List.of(sublatesView), List.of(), List.of()));
        assertDiff(items.get(0), List.of(), categories(List.of(), List.of(nothingView), List.of(), List.of()),
                relations(List.of(), List.of(negatesView), List.of()));
        // and each version is the concept exactly as GET answered right after that write
        for (int n = 1; n <= 6; n++) {
            assertEquals(states.get(n - 1), version(alice, id, n), "version " + n);
        }

        // redelivery: every change group of this concept published again, verbatim, to its partition
        List<ConsumerRecord<String, String>> records = recordsOf(id);
        long groups = records.stream().filter(ConceptHistoryIT::closesGroup).count();
        assertEquals(6, groups, "a creation and five edits: one source transaction each");
        double repeatsBefore = Projectors.metric(Stack.conceptService(), "dialectica_history_groups_repeated_total");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (ConsumerRecord<String, String> record : records) {
                producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(), record.value(),
                        record.headers()));
            }
            producer.flush();
        }
        Instant deadline = Instant.now().plusSeconds(60);
        while (Projectors.metric(Stack.conceptService(), "dialectica_history_groups_repeated_total") < repeatsBefore + groups
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertEquals(repeatsBefore + groups,
                Projectors.metric(Stack.conceptService(), "dialectica_history_groups_repeated_total"),
                "every re-delivered group is a repeat");
        assertEquals(history, history(alice, id, lastToken), "the re-delivery added nothing and changed nothing");

        // another user: the private concept, its history and its versions do not exist
        for (String path : List.of("/history", "/versions/1", "/versions/6")) {
            given().auth().oauth2(bob).when().get("/api/concepts/" + id + path).then().statusCode(404)
                    .contentType("application/problem+json");
        }
        given().auth().oauth2(root).when().get("/api/concepts/" + id + "/history").then().statusCode(200)
                .body("total", equalTo(6));

        // deleted by an admin: the deletion names the admin; the owner and admins still read the history
        String deleted = given().auth().oauth2(root).when().delete("/api/concepts/" + id).then().statusCode(204)
                .extract().header(TOKEN);
        for (String reader : List.of(alice, root)) {
            JsonNode after = history(reader, id, deleted);
            assertEquals(7, after.path("total").asInt());
            JsonNode deletion = after.path("items").get(0);
            assertEquals("DELETED", deletion.path("kind").asText());
            assertEquals(7, deletion.path("version").asInt());
            assertEquals("root-history-e2e", deletion.path("who").asText());
            assertEquals(states.get(5), version(reader, id, 6));
            given().auth().oauth2(reader).when().get("/api/concepts/" + id + "/versions/7").then().statusCode(404);
        }
        given().auth().oauth2(bob).when().get("/api/concepts/" + id + "/history").then().statusCode(404);
        given().auth().oauth2(bob).when().get("/api/concepts/" + id + "/versions/6").then().statusCode(404);
    }

    private static JsonNode read(String id) throws Exception {
        return JSON.readTree(given().auth().oauth2(TestJwt.user("alice-history-e2e")).when().get("/api/concepts/" + id)
                .then().statusCode(200).extract().asString());
    }

    private static JsonNode version(String token, String id, int n) throws Exception {
        return JSON.readTree(given().auth().oauth2(token).when().get("/api/concepts/" + id + "/versions/" + n)
                .then().statusCode(200).extract().asString());
    }

    /** The history once it includes the write of {@code consistencyToken} (a 504 on a loaded machine is retried). */
    private static JsonNode history(String token, String id, String consistencyToken) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            Response response = given().auth().oauth2(token).header(TOKEN, consistencyToken)
                    .when().get("/api/concepts/" + id + "/history");
            if (response.statusCode() != 504 || Instant.now().isAfter(deadline)) {
                response.then().statusCode(200);
                return JSON.readTree(response.asString());
            }
        }
    }

    private static void assertDiff(JsonNode item, List<Map<String, Object>> fields, Map<String, Object> categories,
            Map<String, Object> relations) {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("fields", fields);
        expected.put("categories", categories);
        expected.put("relations", relations);
        assertEquals(JSON.valueToTree(expected), item.path("changes"), "version " + item.path("version"));
    }

    private static Map<String, Object> field(String name, Object from, Object to) {
        Map<String, Object> field = new LinkedHashMap<>();
        field.put("field", name);
        field.put("from", from);
        field.put("to", to);
        return field;
    }

    private static Map<String, Object> categories(List<?> added, List<?> removed, List<?> reweighted, List<?> moved) {
        return Map.of("added", added, "removed", removed, "reweighted", reweighted, "moved", moved);
    }

    private static Map<String, Object> relations(List<?> added, List<?> removed, List<?> changed) {
        return Map.of("added", added, "removed", removed, "changed", changed);
    }

    private static Map<String, Object> category(String id, String name, double weight, double x, double y) {
        Map<String, Object> view = new HashMap<>();
        view.put("id", id);
        view.put("name", name);
        view.put("canonicalName", name.toLowerCase());
        view.put("description", null);
        view.put("weight", weight);
        view.put("x", x);
        view.put("y", y);
        return view;
    }

    private static Map<String, Object> relation(String id, String from, String to, String fromId, String toId,
            String type, double weight, String rationale) {
        Map<String, Object> view = new HashMap<>();
        view.put("id", id);
        view.put("from", from);
        view.put("to", to);
        view.put("fromCategoryId", fromId);
        view.put("toCategoryId", toId);
        view.put("type", type);
        view.put("weight", weight);
        view.put("rationale", rationale);
        return view;
    }

    private static boolean closesGroup(ConsumerRecord<String, String> record) {
        try {
            JsonNode envelope = JSON.readTree(record.value());
            return "change".equals(envelope.path("kind").asText())
                    && envelope.path("txIndex").asInt() == envelope.path("txSize").asInt() - 1;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every record of this concept on the run's concept topic, in partition order. */
    private static List<ConsumerRecord<String, String>> recordsOf(String conceptId) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Stack.CONCEPT_TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plusSeconds(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (conceptId.equals(record.key())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }
}
