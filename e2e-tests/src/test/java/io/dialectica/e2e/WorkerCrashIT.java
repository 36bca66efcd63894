package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.testsupport.TestJwt;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the claude-worker replica that is streaming a job: the request's offset was never committed, so the
 * other replica gets the partition (after the Kafka session of the dead one expires) and runs the job again; the
 * job completes once — one result, one set of theses, SUCCEEDED — and nothing stays RUNNING.
 */
@ExtendWith({Stack.class, GenerationStack.class})
class WorkerCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ten theses stream ~1,200 tokens: seconds at the stand-in's pace, time to kill mid-stream. */
    private static final int COUNT = 10;

    @Test
    void aJobWhoseWorkerIsKilledMidStreamCompletesExactlyOnce() throws Exception {
        String subject = "e2e-dave-" + UUID.randomUUID();
        String dave = TestJwt.user(subject);
        try (ConceptClient api = new ConceptClient(GenerationStack.gateway().baseUrl(), dave);
             JobsSocket socket = JobsSocket.open(GenerationStack.gateway(), dave)) {
            String conceptId = GenerationJourneyIT.createConcept(api, "Categories of quantity", "Unity", "Plurality",
                    "Totality", "Magnitude", "Number");
            String jobId = api.post("/api/concepts/" + conceptId + "/theses", Map.of("count", COUNT)).expect(202).id();
            socket.subscribe(jobId);

            // mid-stream: tokens are arriving at one replica
            socket.awaitEvent(e -> e.path("type").asText().equals("progress") && e.path("outputTokens").asInt() > 0,
                    Duration.ofSeconds(60));
            int holder = holderOf(jobId);
            ServiceProcess killed = GenerationStack.workers().get(holder);
            killed.kill();
            try {
                List<JsonNode> events = socket.awaitEvent(GenerationJourneyIT::terminal, Duration.ofSeconds(120));
                JsonNode last = events.getLast();
                assertEquals("SUCCEEDED", last.path("status").asText(), "the job did not succeed: " + events);
                // the second run is a second delivery (the shared delivery counter), by the other replica
                List<Integer> runningAttempts = events.stream()
                        .filter(e -> e.path("type").asText().equals("status") && e.path("status").asText().equals("RUNNING")
                                && e.path("attempt").asInt() > 0)
                        .map(e -> e.path("attempt").asInt()).toList();
                assertTrue(runningAttempts.contains(1) && runningAttempts.contains(2), "RUNNING attempts " + runningAttempts
                        + ": " + events);
                assertEquals(1, events.stream().filter(e -> e.path("type").asText().equals("result")).count(), events.toString());

                // exactly once: one result on the topic, one stored set of theses, no job left RUNNING
                assertEquals(1, resultsOnTopic(jobId), "results published for the job");
                try (Connection db = GenerationStack.thesesDb()) {
                    assertEquals(COUNT, count(db, "select count(*) from theses where job_id = ?::uuid", jobId));
                    assertEquals(COUNT, count(db, "select count(distinct ord) from theses where job_id = ?::uuid", jobId));
                    assertEquals(1, count(db, "select count(*) from jobs where id = ?::uuid and status = 'SUCCEEDED'", jobId));
                    assertEquals(0, count(db, "select count(*) from jobs where requested_by = ? and status in ('QUEUED', 'RUNNING')",
                            subject));
                }
                JsonNode stored = api.get("/api/concepts/" + conceptId + "/theses").expect(200).body();
                assertEquals(1, stored.path("jobs").size(), stored.toString());
                assertEquals(COUNT, stored.path("jobs").get(0).path("theses").size(), stored.toString());
                JsonNode job = api.get("/api/jobs/" + jobId).expect(200).body();
                assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
            } finally {
                // the next test class finds both replicas again
                killed.restart().awaitReady(Duration.ofSeconds(120));
            }
        }
    }

    /** Which replica's consumer holds the partition of the job's request (client ids set per replica). */
    private static int holderOf(String jobId) throws Exception {
        int partition = requestPartition(jobId);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GenerationStack.WORKER_GROUP)).all()
                    .get(10, TimeUnit.SECONDS).get(GenerationStack.WORKER_GROUP);
            for (MemberDescription member : group.members()) {
                if (member.assignment().topicPartitions().contains(new TopicPartition(GenerationStack.REQUESTS, partition))) {
                    for (int i = 0; i < GenerationStack.workers().size(); i++) {
                        if (member.clientId().equals(GenerationStack.workerClientId(i))) {
                            return i;
                        }
                    }
                    throw new AssertionError("partition " + partition + " held by an unknown member " + member);
                }
            }
            throw new AssertionError("nobody holds partition " + partition + ": " + group);
        }
    }

    private static int requestPartition(String jobId) {
        for (ConsumerRecord<String, String> r : readAll(GenerationStack.REQUESTS, GenerationStack.REQUEST_PARTITIONS)) {
            if (jobId.equals(r.key())) {
                return r.partition();
            }
        }
        throw new AssertionError("no request for job " + jobId + " on " + GenerationStack.REQUESTS);
    }

    private static long resultsOnTopic(String jobId) throws Exception {
        long n = 0;
        for (ConsumerRecord<String, String> r : readAll(GenerationStack.RESULTS, 3)) {
            if (jobId.equals(JSON.readTree(r.value()).path("jobId").asText())) {
                n++;
            }
        }
        return n;
    }

    /** Every record of a topic up to its current end (no group). */
    private static List<ConsumerRecord<String, String>> readAll(String topic, int partitions) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            Instant deadline = Instant.now().plusSeconds(20);
            while (Instant.now().isBefore(deadline) && tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static long count(Connection db, String sql, String arg) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, arg);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
