package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.testsupport.TestJwt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation journey through the gateway only, as a browser does it: create concepts, ask for theses and a
 * synthesis, follow the jobs live on {@code /ws/jobs}, read the stored results. Claude is the private stand-in
 * of {@link GenerationStack}; the context comes from graph-service, fed by the real change stream.
 */
@ExtendWith({Stack.class, GenerationStack.class})
class GenerationJourneyIT {

    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> ORDER = List.of("QUEUED", "RUNNING", "SUCCEEDED");

    @Test
    void thesesStreamLiveToTheRequesterOnlyAndAreStored() throws Exception {
        String alice = TestJwt.user("e2e-alice-" + UUID.randomUUID());
        String bob = TestJwt.user("e2e-bob-" + UUID.randomUUID());
        try (ConceptClient api = new ConceptClient(GenerationStack.gateway().baseUrl(), alice);
             ConceptClient bobApi = new ConceptClient(GenerationStack.gateway().baseUrl(), bob)) {
            String conceptId = createConcept(api, "Being, Nothing, Becoming", "Being", "Nothing", "Becoming", "Determinate being");

            try (JobsSocket socket = JobsSocket.open(GenerationStack.gateway(), alice);
                 JobsSocket intruder = JobsSocket.open(GenerationStack.gateway(), bob)) {
                JsonNode job = api.post("/api/concepts/" + conceptId + "/theses", Map.of("count", 3, "language", "en"))
                        .expect(202).body();
                String jobId = job.path("id").asText();
                assertEquals("QUEUED", job.path("status").asText(), job.toString());
                assertEquals("/ws/jobs", job.path("progressUrl").asText(), job.toString());
                socket.subscribe(jobId);

                // another user: cannot subscribe (an error event, nothing else) ...
                intruder.subscribe(jobId);
                JsonNode refusal = intruder.awaitEvent(e -> e.path("type").asText().equals("error"), Duration.ofSeconds(20)).get(0);
                assertEquals(jobId, refusal.path("jobId").asText(), refusal.toString());
                assertEquals("job-not-found", refusal.path("code").asText(), refusal.toString());
                // ... and cannot read the job
                assertEquals(404, bobApi.get("/api/jobs/" + jobId).status());

                List<JsonNode> events = socket.awaitEvent(GenerationJourneyIT::terminal, JOB_TIMEOUT);
                assertLiveJourney(jobId, events);
                JsonNode result = events.stream().filter(e -> e.path("type").asText().equals("result")).findFirst().orElseThrow();
                String resultUrl = result.path("resultUrl").asText();
                assertTrue(resultUrl.startsWith("/api/concepts/" + conceptId + "/theses"), result.toString());

                // stored and readable: three theses about the concept's own categories, made by the stand-in
                JsonNode stored = api.get(resultUrl).expect(200).body();
                JsonNode group = stored.path("jobs").get(0);
                assertEquals(jobId, group.path("jobId").asText(), stored.toString());
                assertEquals("stand-in", group.path("generatedBy").asText(), stored.toString());
                JsonNode theses = group.path("theses");
                assertEquals(3, theses.size(), stored.toString());
                Set<String> categories = Set.of("Being", "Nothing", "Becoming", "Determinate being");
                Set<String> texts = new HashSet<>();
                for (JsonNode thesis : theses) {
                    assertFalse(thesis.path("text").asText().isBlank(), thesis.toString());
                    texts.add(thesis.path("text").asText());
                    assertTrue(thesis.path("categories").size() > 0, thesis.toString());
                    thesis.path("categories").forEach(c -> assertTrue(categories.contains(c.asText()), thesis.toString()));
                }
                assertEquals(3, texts.size(), "distinct theses: " + theses);
                assertEquals(3, api.get("/api/concepts/" + conceptId + "/theses").expect(200).body()
                        .path("jobs").get(0).path("theses").size());
                assertEquals("SUCCEEDED", api.get("/api/jobs/" + jobId).expect(200).body().path("status").asText());
                // the requester only
                assertEquals(404, bobApi.get("/api/jobs/" + jobId).status());

                // the intruder's socket got the refusal and nothing of the job's many events
                List<JsonNode> seenByBob = intruder.drain(Duration.ofMillis(500));
                assertEquals(1, seenByBob.size(), "bob received " + seenByBob);

                // a reconnect gets the current state first: the finished job, with its document
                try (JobsSocket again = JobsSocket.open(GenerationStack.gateway(), alice)) {
                    again.subscribe(jobId);
                    JsonNode first = again.awaitEvent(e -> true, Duration.ofSeconds(20)).get(0);
                    assertEquals("status", first.path("type").asText(), first.toString());
                    assertEquals("SUCCEEDED", first.path("status").asText(), first.toString());
                    assertEquals(jobId, first.path("job").path("id").asText(), first.toString());
                }
            }
        }
    }

    @Test
    void aSynthesisOfTwoConceptsStreamsAndSurvivesAReconnect() throws Exception {
        String carol = TestJwt.user("e2e-carol-" + UUID.randomUUID());
        try (ConceptClient api = new ConceptClient(GenerationStack.gateway().baseUrl(), carol)) {
            String hegel = createConcept(api, "Becoming", "Being", "Nothing", "Becoming", "Sublation");
            String aristotle = createConcept(api, "Four causes", "Matter", "Form", "Purpose", "Agent");

            JsonNode job = api.post("/api/syntheses", Map.of("conceptIds", List.of(hegel, aristotle), "mode", "dialectical"))
                    .expect(202).body();
            String jobId = job.path("id").asText();
            assertEquals("QUEUED", job.path("status").asText(), job.toString());

            List<JsonNode> events = new ArrayList<>();
            try (JobsSocket socket = JobsSocket.open(GenerationStack.gateway(), carol)) {
                socket.subscribe(jobId);
                // the connection drops once the first tokens arrive ...
                events.addAll(socket.awaitEvent(e -> e.path("type").asText().equals("progress") && e.path("outputTokens").asInt() > 0
                        || terminal(e), JOB_TIMEOUT));
            }
            // ... and a new one starts with the current state, then follows the job to its end
            try (JobsSocket socket = JobsSocket.open(GenerationStack.gateway(), carol)) {
                socket.subscribe(jobId);
                List<JsonNode> after = socket.awaitEvent(GenerationJourneyIT::terminal, JOB_TIMEOUT);
                JsonNode first = after.get(0);
                assertEquals("status", first.path("type").asText(), first.toString());
                assertEquals(jobId, first.path("job").path("id").asText(), first.toString());
                assertTrue(Set.of("RUNNING", "SUCCEEDED").contains(first.path("status").asText()), first.toString());
                events.addAll(after);
            }
            assertLiveJourney(jobId, events);

            JsonNode result = events.stream().filter(e -> e.path("type").asText().equals("result")).findFirst().orElseThrow();
            assertEquals("/api/syntheses/" + jobId, result.path("resultUrl").asText(), result.toString());
            JsonNode synthesis = api.get("/api/syntheses/" + jobId).expect(200).body();
            assertEquals("dialectical", synthesis.path("mode").asText(), synthesis.toString());
            assertEquals(List.of(hegel, aristotle), texts(synthesis.path("sourceConceptIds")), synthesis.toString());
            JsonNode proposed = synthesis.path("proposedConcept");
            assertFalse(proposed.path("name").asText().isBlank(), synthesis.toString());
            assertTrue(proposed.path("categories").size() >= 2, synthesis.toString());
            Set<String> names = new HashSet<>(texts(proposed.path("categories").findValues("name")));
            assertTrue(names.stream().anyMatch(Set.of("Being", "Nothing", "Becoming", "Sublation")::contains), names.toString());
            assertTrue(names.stream().anyMatch(Set.of("Matter", "Form", "Purpose", "Agent")::contains), names.toString());
            assertEquals("stand-in", synthesis.path("generatedBy").asText(), synthesis.toString());
            assertTrue(synthesis.path("interactions").path("calls").asInt() >= 1, synthesis.toString());
        }
    }

    /** Status changes in order, up to SUCCEEDED with a result; at least three token progress events, growing. */
    static void assertLiveJourney(String jobId, List<JsonNode> events) {
        List<String> statuses = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();
        for (JsonNode e : events) {
            assertEquals(jobId, e.path("jobId").asText(), "an event of another job: " + e);
            String status = e.path("status").asText();
            if (!statuses.isEmpty() && ORDER.indexOf(status) < ORDER.indexOf(statuses.get(statuses.size() - 1))) {
                throw new AssertionError("status went back from " + statuses.get(statuses.size() - 1) + " to " + status + ": " + events);
            }
            if (statuses.isEmpty() || !statuses.get(statuses.size() - 1).equals(status)) {
                statuses.add(status);
            }
            if (e.path("type").asText().equals("progress") && e.path("phase").asText().equals("generating")
                    && e.path("outputTokens").asInt() > 0) {
                tokens.add(e.path("outputTokens").asInt());
            }
        }
        assertTrue(statuses.contains("RUNNING") && statuses.getLast().equals("SUCCEEDED"), "statuses " + statuses + ": " + events);
        assertTrue(tokens.size() >= 3, "token progress events " + tokens + ": " + events);
        for (int i = 1; i < tokens.size(); i++) {
            assertTrue(tokens.get(i) >= tokens.get(i - 1), "tokens so far must grow: " + tokens);
        }
        assertTrue(events.stream().anyMatch(e -> e.path("type").asText().equals("result")), "no result event: " + events);
    }

    static boolean terminal(JsonNode event) {
        return Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(event.path("status").asText());
    }

    /** A PRIVATE concept of the caller, through the gateway, awaited in graph-service (the worker's context). */
    static String createConcept(ConceptClient api, String name, String... categories) throws InterruptedException {
        List<Map<String, Object>> cats = new ArrayList<>();
        for (int i = 0; i < categories.length; i++) {
            cats.add(Map.of("name", categories[i], "weight", 1.0 - i * 0.1));
        }
        List<Map<String, Object>> relations = new ArrayList<>();
        for (int i = 1; i < categories.length; i++) {
            relations.add(Map.of("from", categories[i], "to", categories[i - 1], "type", i % 2 == 1 ? "NEGATES" : "SUBLATES",
                    "rationale", categories[i] + " works on " + categories[i - 1]));
        }
        String id = api.post("/api/concepts", Map.of("name", name + " " + UUID.randomUUID().toString().substring(0, 6),
                "visibility", "PRIVATE", "tradition", "e2e", "description", "Created by GenerationJourneyIT.",
                "categories", cats, "relations", relations)).expect(201).id();
        awaitInGraph(id, api);
        return id;
    }

    private static void awaitInGraph(String conceptId, ConceptClient api) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        int status = 0;
        while (Instant.now().isBefore(deadline)) {
            status = api.send("GET", "/api/graph/concepts/" + conceptId, null, Map.of()).status();
            if (status == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("concept " + conceptId + " not in graph-service after 60 s (last status " + status + ")");
    }

    private static List<String> texts(Iterable<JsonNode> nodes) {
        List<String> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.asText()));
        return out;
    }
}
