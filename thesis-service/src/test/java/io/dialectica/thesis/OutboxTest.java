package io.dialectica.thesis;

import io.dialectica.contracts.generation.GenerationRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The outbox publishes exactly the committed jobs. A deferred constraint trigger (installed by the
 * test only) makes the commit of a creation fail after the job and its outbox rows were inserted:
 * the whole transaction rolls back, and nothing about that job reaches Kafka.
 */
@QuarkusTest
@QuarkusTestResource(ThesisTestResource.class)
class OutboxTest {

    /** Creations for this concept fail at commit. */
    private static final UUID DOOMED = UUID.fromString("00000000-0000-0000-0000-00000000d00d");

    @BeforeEach
    void installFailingCommit() {
        Database.execute("""
                create or replace function test_fail_commit() returns trigger language plpgsql as $$
                begin
                  if new.channel = 'requests' and new.payload like '%00000000-0000-0000-0000-00000000d00d%' then
                    raise exception 'test: commit refused after the insert';
                  end if;
                  return null;
                end $$;
                drop trigger if exists test_fail_commit on outbox;
                create constraint trigger test_fail_commit after insert on outbox
                  deferrable initially deferred for each row execute function test_fail_commit();
                """);
    }

    @AfterEach
    void removeFailingCommit() {
        Database.execute("drop trigger if exists test_fail_commit on outbox; drop function if exists test_fail_commit();");
    }

    @Test
    void rolledBackCreationPublishesNothing() {
        String alice = Api.user();
        long jobsBefore = Database.count("select count(*) from jobs");
        Api.postTheses(alice, DOOMED, "{\"count\":2}").then().statusCode(500)
                .contentType(startsWith("application/problem+json"));
        assertEquals(jobsBefore, Database.count("select count(*) from jobs"), "the job was rolled back");
        assertEquals(0, Database.count("select count(*) from outbox where payload like '%00000000d00d%'"));

        // jobs committed before and after are published; once the later one is on the topic, the relay
        // has been past the failed creation
        UUID committed = Api.theses(alice, UUID.randomUUID(), 2);
        GenerationRequest request = Api.request(committed);
        assertEquals(committed, request.jobId());
        long published = ThesisTestResource.topics.allValues(ThesisTestResource.topic("requests")).stream()
                .filter(v -> v.contains("00000000d00d")).count();
        assertEquals(0, published);
        given().auth().oauth2(alice).when().get("/api/concepts/" + DOOMED + "/theses").then().statusCode(200);
    }

    @Test
    void everyCommittedJobIsPublishedInOrderPerJob() {
        String alice = Api.user();
        // a burst of jobs, some cancelled at once: every job gets exactly one request, and its events in order
        List<UUID> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            UUID job = Api.theses(alice, UUID.randomUUID(), 1);
            jobs.add(job);
            if (i % 3 == 0) {
                given().auth().oauth2(alice).when().delete("/api/jobs/" + job).then().statusCode(200);
            }
        }
        for (int i = 0; i < jobs.size(); i++) {
            UUID job = jobs.get(i);
            Api.request(job);
            int expected = i % 3 == 0 ? 2 : 1;
            var events = Api.awaitOwnEvents(job, l -> l.size() >= expected);
            assertEquals(expected, events.size());
            assertEquals(io.dialectica.contracts.generation.JobStatus.QUEUED, events.get(0).status());
            if (expected == 2) {
                assertEquals(io.dialectica.contracts.generation.JobStatus.CANCELLED, events.get(1).status());
            }
            assertEquals(1, ThesisTestResource.topics.on(ThesisTestResource.topic("requests"), job.toString()).size());
        }
        assertEquals(0, Database.count("select count(*) from outbox where published_at is null and job_id = any(?)",
                (Object) jobs.toArray(UUID[]::new)));
    }
}
