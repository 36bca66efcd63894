package io.dialectica.thesis;

import io.dialectica.testsupport.TopicCollector;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nothing stays RUNNING forever: with a 3 s stall timeout (RUNNING), 4 s for QUEUED, and at most 2
 * dispatches, a job whose worker went silent is published again once, then FAILS; a job that keeps reporting is left alone.
 */
@QuarkusTest
@QuarkusTestResource(ThesisTestResource.class)
@TestProfile(WatchdogTest.ShortWatchdog.class)
class WatchdogTest {

    public static class ShortWatchdog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("dialectica.thesis.watchdog.interval", "200ms",
                    "dialectica.thesis.watchdog.stall-timeout", "3s",
                    "dialectica.thesis.watchdog.queued-timeout", "4s",
                    "dialectica.thesis.watchdog.max-dispatches", "2");
        }
    }

    @BeforeEach
    void consumerIsLive() {
        Api.awaitConsumer(); // a job created before the consumer joined its group would look silent
    }

    @Test
    void silentJobIsDispatchedAgainThenFails() {
        String alice = Api.user();
        UUID job = Api.theses(alice, UUID.randomUUID(), 2);
        GenerationRequest first = Api.request(job);
        Api.running(job, 1, "generating", 10); // then the worker "dies"

        // re-dispatched: a second, identical request, the job back to QUEUED with dispatches 2
        List<GenerationRequest> requests = ThesisTestResource.topics.await(ThesisTestResource.topic("requests"),
                job.toString(), GenerationRequest.class, l -> l.size() >= 2);
        assertEquals(first, requests.get(1));
        // then, not picked up again, it fails for good
        Api.awaitStatus(alice, job, JobStatus.FAILED).then()
                .body("dispatches", is(2))
                .body("error", is("not picked up for PT4S after 2 dispatches; given up"));
        assertEquals(2, ThesisTestResource.topics.on(ThesisTestResource.topic("requests"), job.toString()).size(),
                "no third request");
        List<JobStatus> statuses = Api.awaitOwnEvents(job, l -> l.size() >= 3).stream().map(JobEvent::status).toList();
        assertEquals(List.of(JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.FAILED), statuses);
        assertEquals("no progress for PT3S; dispatched again (2 of 2)", Api.ownEvents(job).get(1).message());
    }

    @Test
    void jobThatReportsProgressIsLeftAlone() {
        String alice = Api.user();
        UUID job = Api.theses(alice, UUID.randomUUID(), 2);
        Api.request(job);
        Api.running(job, 1, "context", null);
        Api.awaitStatus(alice, job, JobStatus.RUNNING); // the consumer is live
        long end = System.nanoTime() + 7_000_000_000L; // longer than two stall timeouts
        int tokens = 0;
        while (System.nanoTime() < end) {
            Api.running(job, 1, "generating", tokens += 10);
            TopicCollector.sleep(500);
        }
        given().auth().oauth2(alice).when().get("/api/jobs/" + job).then().body("status", is("RUNNING"))
                .body("dispatches", is(1));
        assertEquals(1, ThesisTestResource.topics.on(ThesisTestResource.topic("requests"), job.toString()).size());
        Api.result(Api.thesesResult(job, 1, "done", 2));
        Api.awaitStatus(alice, job, JobStatus.SUCCEEDED);
    }
}
