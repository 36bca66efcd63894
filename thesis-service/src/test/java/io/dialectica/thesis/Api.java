package io.dialectica.thesis;

import io.dialectica.testsupport.TopicCollector;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** Small helpers: create jobs through the API, play claude-worker on Kafka, wait for job states. */
public final class Api {

    private Api() {
    }

    public static String user() {
        return TestJwt.user("user-" + UUID.randomUUID());
    }

    public static Response postTheses(String token, UUID conceptId, String body) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON);
        if (body != null) {
            request.body(body);
        }
        return request.when().post("/api/concepts/" + conceptId + "/theses");
    }

    /** Creates a THESES job (202) and returns its id. */
    public static UUID theses(String token, UUID conceptId, int count) {
        return UUID.fromString(postTheses(token, conceptId, "{\"count\":" + count + "}")
                .then().statusCode(202).extract().path("id"));
    }

    public static UUID synthesis(String token, List<UUID> conceptIds, String mode) {
        String ids = String.join(",", conceptIds.stream().map(id -> "\"" + id + "\"").toList());
        return UUID.fromString(given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"conceptIds\":[" + ids + "],\"mode\":\"" + mode + "\"}")
                .when().post("/api/syntheses").then().statusCode(202).extract().path("id"));
    }

    /** Waits until the service's consumer has partitions assigned (it joined its group). */
    public static void awaitConsumer() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Object assigned = given().when().get("/q/health/ready")
                    .path("checks.find { it.name == 'generation-topics' }.data.consumerAssignedPartitions");
            if (assigned instanceof Integer n && n > 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the consumer never got partitions");
            }
            TopicCollector.sleep(100);
        }
    }

    /** Polls GET /api/jobs/{id} until the job has the status; returns the last response. */
    public static Response awaitStatus(String token, UUID jobId, JobStatus status) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Response r = given().auth().oauth2(token).when().get("/api/jobs/" + jobId);
            r.then().statusCode(200);
            if (status.name().equals(r.path("status"))) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                r.then().body("status", equalTo(status.name()));
            }
            TopicCollector.sleep(50);
        }
    }

    /** The request thesis-service published for a job (waits for it). */
    public static GenerationRequest request(UUID jobId) {
        return ThesisTestResource.topics.await(ThesisTestResource.topic("requests"), jobId.toString(),
                GenerationRequest.class, l -> !l.isEmpty()).get(0);
    }

    /** claude-worker's RUNNING status event. */
    public static void running(UUID jobId, int attempt, String phase, Integer tokens) {
        ThesisTestResource.topics.publish(ThesisTestResource.topic("progress"), jobId.toString(),
                new JobEvent(1, jobId, phase == null ? JobEvent.STATUS : JobEvent.PROGRESS, JobStatus.RUNNING, phase,
                        tokens, null, null, attempt, Instant.now()));
    }

    public static GenerationResult thesesResult(UUID jobId, int attempt, String prefix, int n) {
        List<GenerationResult.Thesis> theses = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            theses.add(new GenerationResult.Thesis(i, prefix + " thesis " + i, "because " + i, List.of("Being", "Nothing")));
        }
        return new GenerationResult(1, jobId, attempt, true, null, theses, null,
                List.of(new GenerationResult.Interaction("claude-sonnet-4-5", 1200, 340, 2100, new BigDecimal("0.008700"),
                        "req_" + attempt, false, "generate", 0, 0)), false, "stand-in", "theses.v1", Instant.now());
    }

    public static void result(GenerationResult result) {
        result(result, result.jobId());
    }

    /**
     * Publishes with another job's key: same partition as that job's records, so once this one is applied
     * every earlier record of that key was applied too (a marker that proves the consumer went past them).
     */
    public static void result(GenerationResult result, UUID key) {
        ThesisTestResource.topics.publish(ThesisTestResource.topic("results"), key.toString(), result);
    }

    public static void deadLetter(UUID jobId, byte[] original, String reason) {
        ThesisTestResource.topics.publish(ThesisTestResource.topic("dead-letter"), jobId.toString(), original,
                Map.of("dialectica-error", reason));
    }

    /** The progress-topic events thesis-service itself published for a job. */
    public static List<JobEvent> ownEvents(UUID jobId) {
        return ThesisTestResource.topics.on(ThesisTestResource.topic("progress"), jobId.toString()).stream()
                .filter(r -> r.headers().lastHeader("dialectica-producer") != null)
                .map(r -> TopicCollector.read(r.value(), JobEvent.class)).toList();
    }

    public static List<JobEvent> awaitOwnEvents(UUID jobId, java.util.function.Predicate<List<JobEvent>> done) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            List<JobEvent> events = ownEvents(jobId);
            if (done.test(events)) {
                return events;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for thesis-service's events of " + jobId + "; have " + events);
            }
            TopicCollector.sleep(50);
        }
    }
}
