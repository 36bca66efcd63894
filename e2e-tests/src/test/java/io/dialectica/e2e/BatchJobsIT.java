package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.testsupport.TestJwt;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch jobs ({@code "priority": "batch"}) through the gateway on the real stack: claude-worker collects them into
 * Message Batches at the stand-in (at most {@link GenerationStack#BATCH_MAX_REQUESTS} requests or 1 s; a batch ends
 * {@link GenerationStack#STANDIN_BATCH_PROCESSING_MS} ms after creation), follows them and delivers each result once;
 * a cancel in the middle cancels that job only; both workers killed while their batches are in flight, restarted,
 * deliver them (the batch ids are in Redis); an expired batch fails its jobs with a message.
 */
@ExtendWith({Stack.class, GenerationStack.class})
class BatchJobsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    @Test
    void twentyBatchJobsSucceedThroughSeveralBatchesEachOnceAndACancelHitsOnlyItsJob() throws Exception {
        String subject = "e2e-batch-" + UUID.randomUUID();
        String erin = TestJwt.user(subject);
        try (ConceptClient api = new ConceptClient(GenerationStack.gateway().baseUrl(), erin);
             JobsSocket socket = JobsSocket.open(GenerationStack.gateway(), erin)) {
            String a = GenerationJourneyIT.createConcept(api, "Batch modality", "Possibility", "Actuality", "Necessity");
            String b = GenerationJourneyIT.createConcept(api, "Batch relation", "Substance", "Causality", "Community");
            // no two jobs alike (the response cache would answer the second): counts and languages differ
            List<String> jobs = new ArrayList<>();
            List<String> languages = List.of("en", "de", "fr", "it");
            for (int i = 0; i < 20; i++) {
                if (i % 5 == 4) {
                    jobs.add(api.post("/api/syntheses", Map.of("conceptIds", List.of(a, b), "mode",
                            i % 2 == 0 ? "dialectical" : "comparative", "language", languages.get(i / 5),
                            "priority", "batch")).expect(202).id());
                } else {
                    jobs.add(api.post("/api/concepts/" + (i % 2 == 0 ? a : b) + "/theses", Map.of("count",
                            1 + (i / 2) % 10, "language", i < 10 ? "en" : "fr", "priority", "batch")).expect(202).id());
                }
                if (i == 0) {
                    socket.subscribe(jobs.getFirst());
                }
            }
            String cancelled = jobs.get(9);
            // the job is in a Message Batch (its id recorded): cancel it there
            awaitMessage(api, cancelled, "in Message Batch");
            api.delete("/api/jobs/" + cancelled).expect(200);

            Map<String, JsonNode> finished = new HashMap<>();
            for (String job : jobs) {
                finished.put(job, await(api, job));
            }
            assertEquals("CANCELLED", finished.get(cancelled).path("status").asText(), finished.get(cancelled).toString());
            Set<String> batches = new HashSet<>();
            try (Connection db = GenerationStack.thesesDb()) {
                for (String job : jobs) {
                    if (job.equals(cancelled)) {
                        continue;
                    }
                    JsonNode j = finished.get(job);
                    assertEquals("SUCCEEDED", j.path("status").asText(), j.toString());
                    assertEquals("batch", j.path("priority").asText());
                    assertTrue(new BigDecimal(j.path("costUsd").asText()).signum() > 0, j.toString());
                    // one call, in a batch: the interaction names its batch
                    List<String[]> calls = rows(db, "select purpose, request_id from interactions where job_id = ?::uuid", job);
                    assertEquals(1, calls.size(), job + ": " + calls.size() + " calls");
                    assertEquals("batch-generate", calls.getFirst()[0]);
                    assertTrue(calls.getFirst()[1].startsWith("msgbatch_"), calls.getFirst()[1]);
                    batches.add(calls.getFirst()[1]);
                }
            }
            assertTrue(batches.size() >= 3, "20 jobs at most 8 per batch: " + batches);
            // each result exactly once on the results topic; none for the cancelled job
            Map<String, Integer> results = resultsOnTopic();
            for (String job : jobs) {
                assertEquals(job.equals(cancelled) ? 0 : 1, results.getOrDefault(job, 0).intValue(), "results of " + job);
            }
            // the WebSocket showed the phase batched, then the result
            List<JsonNode> events = socket.awaitEvent(e -> e.path("jobId").asText().equals(jobs.get(0))
                    && "SUCCEEDED".equals(e.path("status").asText()), Duration.ofSeconds(30));
            assertTrue(events.stream().anyMatch(e -> e.path("jobId").asText().equals(jobs.get(0))
                    && "batched".equals(e.path("phase").asText())), events.toString());
        }
    }

    @Test
    void restartedWorkersDeliverTheBatchesInFlightAndAnExpiredBatchFailsItsJobs() throws Exception {
        String subject = "e2e-batch-restart-" + UUID.randomUUID();
        String fay = TestJwt.user(subject);
        try (ConceptClient api = new ConceptClient(GenerationStack.gateway().baseUrl(), fay)) {
            String concept = GenerationJourneyIT.createConcept(api, "Batch quality", "Reality", "Negation", "Limitation");
            List<String> jobs = new ArrayList<>();
            for (int count = 1; count <= 4; count++) {
                jobs.add(api.post("/api/concepts/" + concept + "/theses", Map.of("count", count, "priority", "batch"))
                        .expect(202).id());
            }
            for (String job : jobs) {
                awaitMessage(api, job, "in Message Batch");
            }
            // both workers die while the batch is processed; it ends while they are down
            for (ServiceProcess worker : GenerationStack.workers()) {
                worker.kill();
            }
            try {
                JsonNode batch = standInBatchOf(jobs.getFirst());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!batch.path("processing_status").asText().equals("ended") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    batch = standInBatchOf(jobs.getFirst());
                }
                assertEquals("ended", batch.path("processing_status").asText(), batch.toString());
                for (String job : jobs) {
                    assertEquals("RUNNING", api.get("/api/jobs/" + job).expect(200).body().path("status").asText());
                }
            } finally {
                for (ServiceProcess worker : GenerationStack.workers()) {
                    worker.restart();
                }
                for (ServiceProcess worker : GenerationStack.workers()) {
                    worker.awaitReady(Duration.ofSeconds(120));
                }
            }
            Map<String, Integer> results;
            for (String job : jobs) {
                JsonNode j = await(api, job);
                assertEquals("SUCCEEDED", j.path("status").asText(), j.toString());
            }
            results = resultsOnTopic();
            for (String job : jobs) {
                assertEquals(1, results.getOrDefault(job, 0).intValue(), "results of " + job);
            }

            // expiry: the stand-in expires the job's batch (as the API does after 24 h)
            String late = api.post("/api/concepts/" + concept + "/theses", Map.of("count", 6, "priority", "batch"))
                    .expect(202).id();
            awaitMessage(api, late, "in Message Batch");
            String batchId = standInBatchOf(late).path("id").asText();
            HttpResponse<String> expired = HTTP.send(HttpRequest.newBuilder(URI.create(GenerationStack.standInUrl()
                    + "/batches/" + batchId + "/expire")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, expired.statusCode(), expired.body());
            JsonNode j = await(api, late);
            assertEquals("FAILED", j.path("status").asText(), j.toString());
            assertTrue(j.path("error").asText().contains("Message Batch " + batchId + " expired"), j.toString());
        }
    }

    private static JsonNode await(ConceptClient api, String job) throws InterruptedException {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        JsonNode j;
        do {
            j = api.get("/api/jobs/" + job).expect(200).body();
            if (Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(j.path("status").asText())) {
                return j;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + job + " did not finish within " + JOB_TIMEOUT + ": " + j);
    }

    private static void awaitMessage(ConceptClient api, String job, String part) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode j;
        do {
            j = api.get("/api/jobs/" + job).expect(200).body();
            if (j.path("message").asText().contains(part)) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + job + " never said '" + part + "': " + j);
    }

    /** The stand-in's batch holding the job (custom_id = job id). */
    private static JsonNode standInBatchOf(String job) throws Exception {
        JsonNode all = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(GenerationStack.standInUrl() + "/batches"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode b : all) {
            for (JsonNode id : b.path("custom_ids")) {
                if (id.asText().equals(job)) {
                    return b;
                }
            }
        }
        throw new AssertionError("no batch at the stand-in holds job " + job);
    }

    /** Results per job id on the run's results topic, from its beginning. */
    private static Map<String, Integer> resultsOnTopic() throws Exception {
        Map<String, Integer> out = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                tps.add(new TopicPartition(GenerationStack.RESULTS, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            Instant deadline = Instant.now().plusSeconds(20);
            while (Instant.now().isBefore(deadline) && tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.merge(JSON.readTree(r.value()).path("jobId").asText(), 1, Integer::sum);
                }
            }
        }
        return out;
    }

    private static List<String[]> rows(Connection db, String sql, String arg) throws Exception {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, arg);
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    out.add(new String[] { r.getString(1), r.getString(2) });
                }
            }
        }
        return out;
    }
}
