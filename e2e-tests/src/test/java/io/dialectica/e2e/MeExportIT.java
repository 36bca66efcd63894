package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.testsupport.TestJwt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/me/export through the gateway in front of the real concept-service and thesis-service: a user's concepts
 * (private and public, each as GET answers it), their theses, and the end line with the counts; another user's private
 * concept is in neither the export nor reachable by the per-concept export.
 */
@ExtendWith({Stack.class, GenerationStack.class})
class MeExportIT {

    @Test
    void aUserTakesOutTheirConceptsAndThesesAndNothingOfAnybodyElse() throws Exception {
        String aliceName = "e2e-export-alice-" + UUID.randomUUID();
        String alice = TestJwt.user(aliceName);
        String bob = TestJwt.user("e2e-export-bob-" + UUID.randomUUID());
        String gateway = GenerationStack.gateway().baseUrl();
        try (ConceptClient aliceApi = new ConceptClient(gateway, alice);
             ConceptClient bobApi = new ConceptClient(gateway, bob)) {
            String alicePrivate = GenerationJourneyIT.createConcept(aliceApi, "Alice's triad", "Being", "Nothing", "Becoming");
            String alicePublic = aliceApi.post("/api/concepts", Map.of("name", "Alice's public concept", "visibility", "PUBLIC",
                    "categories", List.of(Map.of("name", "Form"), Map.of("name", "Matter")),
                    "relations", List.of(Map.of("from", "Form", "to", "Matter", "type", "OPPOSES")))).expect(201).id();
            String bobPrivate = bobApi.post("/api/concepts", Map.of("name", "Bob's secret", "visibility", "PRIVATE",
                    "categories", List.of(Map.of("name", "Secret")))).expect(201).id();

            String job = aliceApi.post("/api/concepts/" + alicePrivate + "/theses", Map.of("count", 2)).expect(202).id();
            awaitSucceeded(aliceApi, job);

            List<JsonNode> lines = export(gateway, alice);
            JsonNode end = lines.getLast();
            assertEquals("end", end.path("kind").asText(), end.toString());
            List<JsonNode> concepts = lines.stream().filter(l -> l.path("kind").asText().equals("concept")).toList();
            List<JsonNode> theses = lines.stream().filter(l -> l.path("kind").asText().equals("thesis")).toList();
            assertEquals(List.of(alicePrivate, alicePublic), concepts.stream().map(l -> l.at("/concept/id").asText()).toList());
            for (JsonNode line : concepts) {
                assertEquals(aliceApi.get("/api/concepts/" + line.at("/concept/id").asText()).expect(200).body(), line.path("concept"));
            }
            assertEquals(2, theses.size(), lines.toString());
            theses.forEach(t -> {
                assertEquals(job, t.at("/thesis/jobId").asText(), t.toString());
                assertEquals(alicePrivate, t.at("/thesis/conceptId").asText(), t.toString());
                assertFalse(t.at("/thesis/text").asText().isBlank(), t.toString());
            });
            assertEquals(lines.size() - 1, concepts.size() + theses.size(), "nothing but concepts, theses and the end: " + lines);
            assertEquals(2, end.path("concepts").asInt(), end.toString());
            assertEquals(2, end.path("theses").asInt(), end.toString());
            assertEquals(0, end.path("syntheses").asInt(), end.toString());
            assertEquals(aliceName, end.path("user").asText(), end.toString());

            // bob: his own concept only; alice's private concept is neither exported to him nor readable by him
            List<JsonNode> bobs = export(gateway, bob);
            assertEquals(List.of(bobPrivate), bobs.stream().filter(l -> l.path("kind").asText().equals("concept"))
                    .map(l -> l.at("/concept/id").asText()).toList());
            assertTrue(bobs.stream().noneMatch(l -> l.toString().contains(alicePrivate)), bobs.toString());
            assertEquals(1, bobs.getLast().path("concepts").asInt(), bobs.getLast().toString());
            assertEquals(404, bobApi.get("/api/concepts/" + alicePrivate + "/export?format=canvas").status());
        }
    }

    private static void awaitSucceeded(ConceptClient api, String job) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        String status = "";
        while (Instant.now().isBefore(deadline)) {
            status = api.get("/api/jobs/" + job).expect(200).body().path("status").asText();
            if (status.equals("SUCCEEDED")) {
                return;
            }
            assertFalse(status.equals("FAILED") || status.equals("CANCELLED"), "job " + job + " ended " + status);
            Thread.sleep(200);
        }
        throw new AssertionError("job " + job + " not SUCCEEDED after 90 s: " + status);
    }

    /** The export as a file: 200, JSON Lines, an attachment, every line JSON. */
    private static List<JsonNode> export(String gateway, String token) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway + "/api/me/export"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("application/jsonl", answer.headers().firstValue("Content-Type").orElse(""));
        assertTrue(answer.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename=\"dialectica-export-"));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : answer.body().split("\n")) {
            lines.add(ConceptClient.JSON.readTree(line));
        }
        return lines;
    }
}
