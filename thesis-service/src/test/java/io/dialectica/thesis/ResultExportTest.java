package io.dialectica.thesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * thesis-service's part of GET /api/me/export on the real database and Kafka: exactly the caller's own theses and
 * syntheses (never another user's), each as the API answers it, in the order of their jobs, all of them past any page
 * size, streamed.
 */
@QuarkusTest
@QuarkusTestResource(ThesisTestResource.class)
class ResultExportTest {

    private static final String EXPORT = "/internal/export/results";
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void consumerReady() {
        Api.awaitConsumer();
    }

    @Test
    void eachUserExportsExactlyTheirOwnResultsAsTheApiAnswersThem() throws Exception {
        String alice = TestJwt.user("alice-results-" + UUID.randomUUID());
        String bob = TestJwt.user("bob-results-" + UUID.randomUUID());
        UUID concept = UUID.randomUUID();
        UUID theses = Api.theses(alice, concept, 2);
        Api.result(Api.thesesResult(theses, 1, "alice's", 2));
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID synthesis = Api.synthesis(alice, List.of(a, b), "comparative");
        Api.result(synthesisResult(synthesis, a, b));
        UUID bobs = Api.theses(bob, concept, 1);
        Api.result(Api.thesesResult(bobs, 1, "bob's", 1));
        // a job without a result has nothing to export
        Api.theses(alice, UUID.randomUUID(), 3);
        Api.awaitStatus(alice, theses, JobStatus.SUCCEEDED);
        Api.awaitStatus(alice, synthesis, JobStatus.SUCCEEDED);
        Api.awaitStatus(bob, bobs, JobStatus.SUCCEEDED);

        List<JsonNode> lines = export(alice);
        assertEquals(List.of("thesis", "thesis", "synthesis"), lines.stream().map(l -> l.path("kind").asText()).toList());

        // a thesis: the thesis and its job's fields as GET /api/concepts/{id}/theses?jobId= groups them
        JsonNode group = JSON.readTree(given().auth().oauth2(alice).get("/api/concepts/" + concept + "/theses?jobId=" + theses)
                .then().statusCode(200).extract().asString()).path("jobs").get(0);
        for (int i = 0; i < 2; i++) {
            JsonNode thesis = lines.get(i).path("thesis");
            ObjectNode expected = group.path("theses").get(i).deepCopy();
            expected.put("jobId", theses.toString()).put("conceptId", concept.toString());
            group.properties().forEach(e -> {
                if (!e.getKey().equals("theses") && !e.getKey().equals("jobId")) {
                    expected.set(e.getKey(), e.getValue());
                }
            });
            assertEquals(expected, thesis);
            assertEquals("alice's thesis " + (i + 1), thesis.path("text").asText());
        }
        // a synthesis: as GET /api/syntheses/{id} answers it
        JsonNode got = JSON.readTree(given().auth().oauth2(alice).get("/api/syntheses/" + synthesis)
                .then().statusCode(200).extract().asString());
        assertEquals(got, lines.get(2).path("synthesis"));

        // bob: his own thesis only, nothing of alice's
        List<JsonNode> bobLines = export(bob);
        assertEquals(1, bobLines.size());
        assertEquals(bobs.toString(), bobLines.get(0).at("/thesis/jobId").asText());
        assertEquals("bob's thesis 1", bobLines.get(0).at("/thesis/text").asText());
        // an admin exports their own results, not everybody's
        assertEquals(List.of(), export(TestJwt.admin("admin-results-" + UUID.randomUUID())));
    }

    @Test
    void manyJobsAllExportedOnceInTheOrderTheyWereRequested() throws Exception {
        String carol = TestJwt.user("carol-results-" + UUID.randomUUID());
        List<UUID> jobs = new ArrayList<>();
        // more than one page of 100 jobs
        for (int i = 0; i < 130; i++) {
            jobs.add(Api.theses(carol, UUID.randomUUID(), 1));
        }
        for (UUID job : jobs) {
            Api.result(Api.thesesResult(job, 1, "job " + job, 1));
        }
        for (UUID job : jobs) {
            Api.awaitStatus(carol, job, JobStatus.SUCCEEDED);
        }
        List<JsonNode> lines = export(carol);
        assertEquals(jobs.stream().map(UUID::toString).toList(), lines.stream().map(l -> l.at("/thesis/jobId").asText()).toList());
        for (JsonNode line : lines) {
            assertEquals("job " + line.at("/thesis/jobId").asText() + " thesis 1", line.at("/thesis/text").asText());
        }
    }

    @Test
    void streamedAsJsonLinesAndOnlyWithAToken() {
        String dave = TestJwt.user("dave-results-" + UUID.randomUUID());
        UUID job = Api.theses(dave, UUID.randomUUID(), 1);
        Api.result(Api.thesesResult(job, 1, "dave's", 1));
        Api.awaitStatus(dave, job, JobStatus.SUCCEEDED);
        Response answer = given().auth().oauth2(dave).get(EXPORT);
        answer.then().statusCode(200).contentType(startsWith("application/jsonl"));
        assertNull(answer.getHeader("Content-Length"));
        assertEquals("chunked", answer.getHeader("Transfer-Encoding"));
        assertTrue(answer.asString().endsWith("}\n"));

        given().get(EXPORT).then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
    }

    private static GenerationResult synthesisResult(UUID job, UUID a, UUID b) {
        GenerationResult.ProposedConcept proposed = new GenerationResult.ProposedConcept("Becoming-for-itself",
                "What holds being and nothing together", "German Idealism",
                List.of(new GenerationResult.ProposedCategory("Being", "immediacy", 0.9),
                        new GenerationResult.ProposedCategory("Becoming", null, 1.0)),
                List.of(new GenerationResult.ProposedRelation("Becoming", "Being", "SUBLATES", 0.8, "it contains it")),
                List.of(a, b), "comparative");
        return new GenerationResult(1, job, 1, true, null, null, proposed,
                List.of(new GenerationResult.Interaction("claude-sonnet-4-5", 2000, 500, 3000, new BigDecimal("0.0135"),
                        "req_1", false, "generate", 0, 0)),
                false, "claude", "synthesis.v1", Instant.now());
    }

    private static List<JsonNode> export(String token) throws Exception {
        String body = given().auth().oauth2(token).get(EXPORT).then().statusCode(200)
                .contentType(startsWith("application/jsonl")).extract().asString();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(JSON.readTree(line));
            }
        }
        assertEquals(lines.size(), body.chars().filter(c -> c == '\n').count(), "one JSON document per line");
        return lines;
    }
}
