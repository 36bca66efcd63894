package io.dialectica.thesis;

import io.dialectica.testsupport.TopicCollector;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The consumer side: progress, results (first one wins), failures and dead letters. */
@QuarkusTest
@QuarkusTestResource(ThesisTestResource.class)
class ResultsTest {

    @Test
    void progressThenResultIsStoredOnceEvenWhenDeliveredAgain() {
        String alice = Api.user();
        UUID concept = UUID.randomUUID();
        UUID job = Api.theses(alice, concept, 3);
        Api.request(job);

        Api.running(job, 1, null, null);
        Api.running(job, 1, "generating", 120);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Integer.valueOf(120).equals(given().auth().oauth2(alice).get("/api/jobs/" + job).path("outputTokens"))
                && System.nanoTime() < deadline) {
            TopicCollector.sleep(50);
        }
        given().auth().oauth2(alice).when().get("/api/jobs/" + job).then().statusCode(200)
                .body("status", is("RUNNING")).body("attempts", is(1)).body("phase", is("generating"))
                .body("outputTokens", is(120)).body("startedAt", notNullValue());

        // the first result, then the same job's re-run after a "worker crash" (other text, attempt 2)
        Api.result(Api.thesesResult(job, 1, "first", 3));
        Api.result(Api.thesesResult(job, 2, "second", 3));
        // a marker on the same partition: once it is applied, both results above were applied
        UUID marker = Api.theses(alice, UUID.randomUUID(), 1);
        Api.result(Api.thesesResult(marker, 1, "marker", 1), job);
        Api.awaitStatus(alice, marker, JobStatus.SUCCEEDED);

        Api.awaitStatus(alice, job, JobStatus.SUCCEEDED).then()
                .body("resultUrl", is("/api/concepts/" + concept + "/theses?jobId=" + job))
                .body("generatedBy", is("stand-in")).body("cacheHit", is(false)).body("finishedAt", notNullValue())
                .body("error", nullValue());
        assertEquals(3, Database.theses(job), "the theses of the first result only, once");
        assertEquals(1, Database.count("select count(*) from interactions where job_id = ?", job));

        given().auth().oauth2(alice).when().get("/api/concepts/" + concept + "/theses").then().statusCode(200)
                .body("conceptId", is(concept.toString()))
                .body("jobs", hasSize(1))
                .body("jobs[0].jobId", is(job.toString()))
                .body("jobs[0].theses", hasSize(3))
                .body("jobs[0].theses[0].order", is(1))
                .body("jobs[0].theses[0].text", is("first thesis 1"))
                .body("jobs[0].theses[0].rationale", is("because 1"))
                .body("jobs[0].theses[0].categories", is(List.of("Being", "Nothing")));
        // a second job on the same concept comes first (newest first)
        UUID later = Api.theses(alice, concept, 1);
        Api.result(Api.thesesResult(later, 1, "later", 1));
        Api.awaitStatus(alice, later, JobStatus.SUCCEEDED);
        given().auth().oauth2(alice).when().get("/api/concepts/" + concept + "/theses").then()
                .body("jobs.jobId", is(List.of(later.toString(), job.toString())));
        given().auth().oauth2(alice).when().get("/api/concepts/" + concept + "/theses?jobId=" + job).then()
                .body("jobs.jobId", is(List.of(job.toString())));

        // visibility: another user sees none of it; an admin sees it
        String bob = Api.user();
        given().auth().oauth2(bob).when().get("/api/concepts/" + concept + "/theses").then().statusCode(200)
                .body("jobs", hasSize(0));
        given().auth().oauth2(bob).when().get("/api/concepts/" + concept + "/theses?jobId=" + job).then()
                .statusCode(404).contentType(startsWith("application/problem+json"));
        given().auth().oauth2(TestJwt.admin("root")).when().get("/api/concepts/" + concept + "/theses?jobId=" + job)
                .then().statusCode(200).body("jobs[0].theses", hasSize(3));

        // thesis-service announced it once: QUEUED, then the result event with its URL
        List<JobEvent> events = Api.awaitOwnEvents(job, l -> l.size() >= 2);
        assertEquals(List.of(JobStatus.QUEUED, JobStatus.SUCCEEDED), events.stream().map(JobEvent::status).toList());
        assertEquals(JobEvent.RESULT, events.get(1).type());
        assertEquals("/api/concepts/" + concept + "/theses?jobId=" + job, events.get(1).resultUrl());

        // a late progress event of the finished job changes nothing; deleting it is a conflict
        Api.running(job, 2, "generating", 999);
        Api.result(Api.thesesResult(UUID.randomUUID(), 1, "unknown job", 1), job); // marker: unknown job, ignored
        TopicCollector.sleep(300);
        given().auth().oauth2(alice).when().get("/api/jobs/" + job).then().body("status", is("SUCCEEDED"))
                .body("outputTokens", is(120));
        given().auth().oauth2(alice).when().delete("/api/jobs/" + job).then().statusCode(409);
    }

    @Test
    void synthesisResultIsReadableAsAProposedConcept() {
        String alice = Api.user();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID job = Api.synthesis(alice, List.of(a, b), "dialectical");
        assertEquals("dialectical", Api.request(job).mode());
        GenerationResult.ProposedConcept proposed = new GenerationResult.ProposedConcept("Becoming-for-itself",
                "What holds being and nothing together", "German Idealism",
                List.of(new GenerationResult.ProposedCategory("Being", "immediacy", 0.9),
                        new GenerationResult.ProposedCategory("Becoming", null, 1.0)),
                List.of(new GenerationResult.ProposedRelation("Becoming", "Being", "SUBLATES", 0.8, "it contains it")),
                List.of(a, b), "dialectical");
        Api.result(new GenerationResult(1, job, 1, true, null, null, proposed,
                List.of(new GenerationResult.Interaction("claude-sonnet-4-5", 2000, 500, 3000, new BigDecimal("0.0135"),
                                "req_1", false, "generate", 0, 0),
                        new GenerationResult.Interaction("claude-sonnet-4-5", 2500, 400, 2000, new BigDecimal("0.0135"),
                                "req_2", false, "repair", 0, 0)),
                false, "claude", "synthesis.v1", Instant.now()));
        Api.awaitStatus(alice, job, JobStatus.SUCCEEDED).then().body("resultUrl", is("/api/syntheses/" + job))
                .body("mode", is("dialectical")).body("count", nullValue()).body("generatedBy", is("claude"));

        given().auth().oauth2(alice).when().get("/api/syntheses/" + job).then().statusCode(200)
                .body("id", is(job.toString()))
                .body("jobId", is(job.toString()))
                .body("mode", is("dialectical"))
                .body("sourceConceptIds", is(List.of(a.toString(), b.toString())))
                .body("proposedConcept.name", is("Becoming-for-itself"))
                .body("proposedConcept.tradition", is("German Idealism"))
                .body("proposedConcept.categories.name", is(List.of("Being", "Becoming")))
                .body("proposedConcept.relations[0].type", is("SUBLATES"))
                .body("generatedBy", is("claude"))
                .body("interactions.calls", is(2))
                .body("interactions.inputTokens", is(4500))
                .body("interactions.outputTokens", is(900))
                .body("interactions.estimatedCostUsd", is(0.027f))
                .body("interactions.requestIds", is(List.of("req_1", "req_2")));
        given().auth().oauth2(Api.user()).when().get("/api/syntheses/" + job).then().statusCode(404);
        given().auth().oauth2(TestJwt.admin("root")).when().get("/api/syntheses/" + job).then().statusCode(200);
    }

    @Test
    void failedResultFailsTheJobWithTheReason() {
        String alice = Api.user();
        UUID job = Api.theses(alice, UUID.randomUUID(), 2);
        Api.running(job, 1, "validating", 50);
        Api.result(new GenerationResult(1, job, 1, false, "invalid output twice: theses[0].text is missing", null, null,
                List.of(), false, "stand-in", "theses.v1", Instant.now()));
        Api.awaitStatus(alice, job, JobStatus.FAILED).then()
                .body("error", is("invalid output twice: theses[0].text is missing")).body("resultUrl", nullValue());
        List<JobEvent> events = Api.awaitOwnEvents(job, l -> l.size() >= 2);
        assertEquals(JobEvent.ERROR, events.get(1).type());
        assertEquals(JobStatus.FAILED, events.get(1).status());
        assertEquals(0, Database.theses(job));
    }

    @Test
    void deadLetterFailsTheJobAsPoison() {
        String alice = Api.user();
        UUID job = Api.theses(alice, UUID.randomUUID(), 2);
        Api.deadLetter(job, "{not json".getBytes(StandardCharsets.UTF_8), "unreadable request: Unexpected character");
        Api.awaitStatus(alice, job, JobStatus.FAILED).then()
                .body("error", is("poison request: unreadable request: Unexpected character"));
        // and a result arriving afterwards is ignored
        Api.result(Api.thesesResult(job, 1, "late", 2));
        UUID marker = Api.theses(alice, UUID.randomUUID(), 1);
        Api.result(Api.thesesResult(marker, 1, "marker", 1), job);
        Api.awaitStatus(alice, marker, JobStatus.SUCCEEDED);
        assertEquals(0, Database.theses(job));
        given().auth().oauth2(alice).when().get("/api/jobs/" + job).then().body("status", is("FAILED"));
    }
}
