package io.dialectica.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.GenerationResult.Interaction;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.testsupport.TopicCollector;
import io.dialectica.worker.Fixtures.Concept;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.dialectica.worker.WorkerTestResource.claude;
import static io.dialectica.worker.WorkerTestResource.standIn;
import static io.dialectica.worker.WorkerTestResource.topic;
import static io.dialectica.worker.WorkerTestResource.topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch jobs ({@code priority: batch}) through the project's stand-in of the Message Batches API (behind WireMock):
 * collected into one Message Batch (max-requests 5, max-wait 400 ms in the test profile), followed, and each result
 * delivered once with its calls priced at half; an invalid answer's repair goes into the next batch; a cancelled job
 * alone in its batch cancels the batch, one among others is dropped; an expired batch fails its jobs with a message.
 */
@QuarkusTest
@QuarkusTestResource(WorkerTestResource.class)
class BatchTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final BigDecimal IN = new BigDecimal("3.00");
    private static final BigDecimal OUT = new BigDecimal("15.00");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Concept concept(String label) {
        Concept c = Fixtures.concept(label + "-" + UUID.randomUUID().toString().substring(0, 6), 6);
        Fixtures.stubGraph(c);
        return c;
    }

    private static UUID batchJob(Concept c, int count) {
        UUID job = UUID.randomUUID();
        Fixtures.publish(new GenerationRequest(1, job, JobType.THESES, "alice", List.of(c.id()), count, "en", null,
                Instant.now(), GenerationRequest.BATCH));
        return job;
    }

    private static GenerationResult result(UUID job) {
        return topics.await(topic("results"), job.toString(), GenerationResult.class, l -> !l.isEmpty(), WAIT).getFirst();
    }

    private static List<JobEvent> events(UUID job) {
        return topics.values(topic("progress"), job.toString(), JobEvent.class);
    }

    private static BigDecimal plainCost(Interaction i) {
        return IN.multiply(BigDecimal.valueOf(i.inputTokens()))
                .add(IN.multiply(new BigDecimal("1.25")).multiply(BigDecimal.valueOf(i.cacheCreationInputTokens())))
                .add(IN.multiply(new BigDecimal("0.1")).multiply(BigDecimal.valueOf(i.cacheReadInputTokens())))
                .add(OUT.multiply(BigDecimal.valueOf(i.outputTokens())))
                .divide(BigDecimal.valueOf(1_000_000));
    }

    private static JsonNode standInBatches() throws Exception {
        return TopicCollector.MAPPER.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(standIn.baseUrl() + "/batches"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The stand-in's batch that holds the job (custom_id = job id), waiting up to 10 s for it to exist. */
    private static JsonNode batchOf(UUID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode b : standInBatches()) {
                for (JsonNode id : b.path("custom_ids")) {
                    if (id.asText().equals(job.toString())) {
                        return b;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no Message Batch holds job " + job);
    }

    @Test
    void batchJobsGoIntoOneMessageBatchAndEachResultComesOnceAtHalfPrice() throws Exception {
        Concept c = concept("Batched");
        List<UUID> jobs = new ArrayList<>();
        for (int count = 1; count <= 5; count++) { // max-requests 5: one full batch
            jobs.add(batchJob(c, count));
        }
        Set<String> batchIds = new HashSet<>();
        for (int i = 0; i < jobs.size(); i++) {
            UUID job = jobs.get(i);
            GenerationResult r = result(job);
            assertTrue(r.succeeded(), () -> "failed: " + r.error());
            assertEquals(i + 1, r.theses().size());
            Interaction call = r.interactions().getFirst();
            assertEquals(1, r.interactions().size(), r.interactions()::toString);
            assertEquals("batch-generate", call.purpose());
            assertTrue(call.requestId().startsWith("msgbatch_"), call::toString);
            batchIds.add(call.requestId());
            // half the price table's cost, exactly
            BigDecimal half = plainCost(call).multiply(new BigDecimal("0.5"));
            assertEquals(0, half.compareTo(call.estimatedCostUsd()), () -> call + " should cost " + half);
            assertTrue(call.estimatedCostUsd().signum() > 0);
            List<JobEvent> events = events(job);
            assertTrue(events.stream().anyMatch(e -> "batched".equals(e.phase()) && e.message().contains("queued")),
                    events::toString);
            assertTrue(events.stream().anyMatch(e -> "batched".equals(e.phase())
                    && e.message().contains("in Message Batch " + call.requestId())), events::toString);
        }
        assertEquals(1, batchIds.size(), "five jobs, max-requests 5: one batch " + batchIds);
        TopicCollector.sleep(1000);
        for (UUID job : jobs) {
            assertEquals(1, topics.values(topic("results"), job.toString(), GenerationResult.class).size(),
                    "exactly one result for " + job);
        }
    }

    @Test
    void anInvalidAnswerIsRepairedInTheNextBatch() throws Exception {
        Concept c = concept("Repaired");
        // this concept's batches: every first answer of a conversation is cut off (invalid JSON)
        claude.stubFor(post(urlPathEqualTo("/v1/messages/batches")).atPriority(5)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(c.name()))
                .willReturn(aResponse().proxiedFrom(standIn.baseUrl())
                        .withAdditionalRequestHeader("x-standin-fault", "invalid-json-once")));
        UUID job = batchJob(c, 3);
        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        assertEquals(List.of("batch-generate", "batch-repair"), r.interactions().stream().map(Interaction::purpose).toList());
        assertFalse(r.interactions().get(0).requestId().equals(r.interactions().get(1).requestId()),
                "the repair goes into another batch: " + r.interactions());
        assertTrue(events(job).stream().anyMatch(e -> "batched".equals(e.phase()) && e.message().contains("repair")));
    }

    @Test
    void aCancelledJobAloneInItsBatchCancelsTheBatchAndAmongOthersIsDropped() throws Exception {
        Concept c = concept("Cancelled");
        // alone: the batch is cancelled at the API
        UUID alone = batchJob(c, 2);
        JsonNode batch = batchOf(alone);
        cancel(alone);
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode now = batch;
        while (System.nanoTime() < deadline) {
            now = batchOf(alone);
            if (now.path("processing_status").asText().equals("ended")) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(1, now.path("request_counts").path("canceled").asInt(), now.toString());
        // among others: the others succeed, the cancelled one gets no result
        List<UUID> jobs = List.of(batchJob(c, 3), batchJob(c, 4), batchJob(c, 5));
        String id = batchOf(jobs.get(0)).path("id").asText();
        assertEquals(id, batchOf(jobs.get(2)).path("id").asText());
        cancel(jobs.get(1));
        assertTrue(result(jobs.get(0)).succeeded());
        assertTrue(result(jobs.get(2)).succeeded());
        TopicCollector.sleep(1500);
        assertTrue(topics.values(topic("results"), jobs.get(1).toString(), GenerationResult.class).isEmpty());
        assertTrue(topics.values(topic("results"), alone.toString(), GenerationResult.class).isEmpty());
    }

    @Test
    void anExpiredBatchFailsItsJobsWithAClearMessage() throws Exception {
        Concept c = concept("Expired");
        UUID job = batchJob(c, 2);
        String id = batchOf(job).path("id").asText();
        HttpResponse<String> expired = HTTP.send(HttpRequest.newBuilder(URI.create(standIn.baseUrl() + "/batches/" + id
                + "/expire")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, expired.statusCode(), expired.body());
        GenerationResult r = result(job);
        assertFalse(r.succeeded());
        assertTrue(r.error().contains("Message Batch " + id + " expired"), r.error());
    }

    private static void cancel(UUID job) {
        Fixtures.publishTo(topic("progress"), job.toString(), new JobEvent(JobEvent.SCHEMA_VERSION, job, JobEvent.STATUS,
                JobStatus.CANCELLED, null, null, null, "cancelled by alice", 0, Instant.now()));
    }
}
