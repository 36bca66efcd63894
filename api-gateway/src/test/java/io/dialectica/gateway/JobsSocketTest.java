package io.dialectica.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.gateway.jobs.ProgressConsumer;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /ws/jobs} against the real gateway: the JWT on the upgrade (header or query parameter), subscribes
 * authorised by a WireMock'd thesis-service ({@code GET /thesis-service/api/jobs/{id}}: 200 for the job's
 * owner, WireMock's 404 for anybody else), and job events published to this run's Kafka progress topic.
 *
 * <p>All events of a test go to partition 0, so they reach the gateway in the order they were published:
 * when a socket receives event N, every earlier event has been dispatched, and one that was not received
 * before N was not delivered to it at all.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class JobsSocketTest {

    private static KafkaProducer<String, String> producer;

    @InjectWireMock
    WireMockServer backend;

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper mapper;

    @Inject
    ProgressConsumer consumer;

    @ConfigProperty(name = "gateway.progress.topic")
    String topic;

    @BeforeEach
    void consumerReadsTheTopic() throws InterruptedException {
        await(Duration.ofSeconds(60), () -> consumer.assignment().size() >= BackendsTestResource.PROGRESS_PARTITIONS,
                () -> "the progress consumer got no partitions: " + consumer.lastError());
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BackendsTestResource.KAFKA,
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        }
    }

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }

    // ---- authentication of the upgrade ------------------------------------------------------------------

    /** Polls until the condition holds; fails with {@code what} when it did not within the timeout. */
    private static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    @Test
    void anUpgradeWithoutAValidTokenIsRefusedWith401() {
        assertEquals(401, WsClient.refusal(vertx, WsClient.options("/ws/jobs")));
        for (String bad : List.of(TestJwt.expired("ws-" + UUID.randomUUID()), TestJwt.forged("ws-" + UUID.randomUUID()), "not.a.jwt")) {
            assertEquals(401, WsClient.refusal(vertx, WsClient.options("/ws/jobs").addHeader("Authorization", "Bearer " + bad)), bad);
            assertEquals(401, WsClient.refusal(vertx, WsClient.options("/ws/jobs?access_token=" + bad)), bad);
        }
        // the query parameter is for WebSockets only: an API request must use the header
        io.restassured.RestAssured.given().when().get("/api/concepts?access_token=" + TestJwt.user("ws-" + UUID.randomUUID()))
                .then().statusCode(401);
    }

    @Test
    void theTokenOfTheHeaderIsTheOneThesisServiceSees() {
        String token = TestJwt.user("ws-header-" + UUID.randomUUID());
        UUID job = ownedJob(token, "RUNNING");
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            ws.subscribe(job);
            JsonObject current = ws.next();
            assertEquals(job.toString(), current.getString("jobId"));
            assertEquals("status", current.getString("type"));
            assertEquals("RUNNING", current.getString("status"));
        }
        backend.verify(1, getRequestedFor(urlEqualTo("/thesis-service/api/jobs/" + job))
                .withHeader("Authorization", equalTo("Bearer " + token)));
    }

    @Test
    void theQueryParameterTokenIsValidatedAndUsedLikeTheHeader() {
        String token = TestJwt.user("ws-query-" + UUID.randomUUID());
        UUID job = ownedJob(token, "QUEUED");
        try (WsClient ws = WsClient.withQueryToken(vertx, token)) {
            ws.subscribe(job);
            JsonObject current = ws.next();
            assertEquals("status", current.getString("type"));
            assertEquals("QUEUED", current.getString("status"));
            publish(event(job, JobEvent.STATUS, JobStatus.RUNNING, null));
            assertEquals("RUNNING", ws.next().getString("status"));
        }
        backend.verify(1, getRequestedFor(urlEqualTo("/thesis-service/api/jobs/" + job))
                .withHeader("Authorization", equalTo("Bearer " + token)));
    }

    // ---- subscriptions -----------------------------------------------------------------------------------

    @Test
    void aSubscriberGetsTheCurrentStateFirstThenOnlyItsJobsEventsUntilATerminalOne() {
        String token = TestJwt.user("ws-events-" + UUID.randomUUID());
        UUID job = ownedJob(token, "RUNNING");
        UUID otherJob = UUID.randomUUID();
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            ws.subscribe(job);
            JsonObject current = ws.next();
            assertEquals("status", current.getString("type"));
            assertEquals("RUNNING", current.getString("status"));
            assertEquals(job.toString(), current.getJsonObject("job").getString("id"), "the job document rides along");
            assertEquals("generating", current.getString("phase"));
            assertEquals(17, current.getInteger("outputTokens"));

            publish(event(otherJob, JobEvent.PROGRESS, JobStatus.RUNNING, 10));
            publish(event(job, JobEvent.PROGRESS, JobStatus.RUNNING, 20));
            publish(event(job, JobEvent.PROGRESS, JobStatus.RUNNING, 40));
            JsonObject first = ws.next();
            assertEquals(job.toString(), first.getString("jobId"), "an event of another job was delivered: " + first);
            assertEquals("progress", first.getString("type"));
            assertEquals(20, first.getInteger("outputTokens"));
            assertEquals("generating", first.getString("phase"));
            assertEquals(40, ws.next().getInteger("outputTokens"));

            JobEvent done = new JobEvent(JobEvent.SCHEMA_VERSION, job, JobEvent.RESULT, JobStatus.SUCCEEDED, null, null,
                    "/api/jobs/" + job, null, 0, Instant.now());
            publish(done);
            JsonObject result = ws.next();
            assertEquals("result", result.getString("type"));
            assertEquals("SUCCEEDED", result.getString("status"));
            assertEquals("/api/jobs/" + job, result.getString("resultUrl"));

            // the terminal event ended the subscription; a marker job shows what still arrives
            UUID marker = ownedJob(token, "QUEUED");
            ws.subscribe(marker);
            assertEquals(marker.toString(), ws.next().getString("jobId"));
            publish(event(job, JobEvent.PROGRESS, JobStatus.RUNNING, 99));
            publish(event(marker, JobEvent.STATUS, JobStatus.RUNNING, null));
            JsonObject next = ws.next();
            assertEquals(marker.toString(), next.getString("jobId"), "delivered after the terminal event: " + next);
        }
    }

    @Test
    void aJobTheCallerMayNotSeeGetsAnErrorEventAndNoSubscription() {
        String token = TestJwt.user("ws-404-" + UUID.randomUUID());
        UUID foreign = UUID.randomUUID(); // WireMock answers 404: not this caller's job
        UUID forbidden = UUID.randomUUID();
        backend.stubFor(get(urlEqualTo("/thesis-service/api/jobs/" + forbidden)).willReturn(aResponse().withStatus(403)));
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            for (UUID job : List.of(foreign, forbidden)) {
                ws.subscribe(job);
                JsonObject error = ws.next();
                assertEquals("error", error.getString("type"));
                assertEquals(job.toString(), error.getString("jobId"));
                assertEquals("job not found", error.getString("message"));
                assertEquals("job-not-found", error.getString("code"));
                assertTrue(error.containsKey("status"));
                assertNull(error.getValue("status"));
            }
            UUID marker = ownedJob(token, "RUNNING");
            ws.subscribe(marker);
            assertEquals(marker.toString(), ws.next().getString("jobId"));
            publish(event(foreign, JobEvent.PROGRESS, JobStatus.RUNNING, 5));
            publish(event(forbidden, JobEvent.PROGRESS, JobStatus.RUNNING, 5));
            publish(event(marker, JobEvent.PROGRESS, JobStatus.RUNNING, 6));
            JsonObject next = ws.next();
            assertEquals(marker.toString(), next.getString("jobId"), "an event of a refused job was delivered: " + next);
        }
    }

    @Test
    void badMessagesGetErrorEventsAndTheSocketStaysOpen() {
        String token = TestJwt.user("ws-bad-" + UUID.randomUUID());
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            for (String bad : List.of("not json", "[1,2]", "{\"action\":\"dance\",\"jobId\":\"" + UUID.randomUUID() + "\"}",
                    "{\"action\":\"subscribe\"}", "{\"action\":\"subscribe\",\"jobId\":\"job-1\"}", "{\"jobId\":42}")) {
                ws.send(bad);
                JsonObject error = ws.next();
                assertEquals("error", error.getString("type"), bad);
                assertEquals("bad-request", error.getString("code"), bad);
            }
            UUID job = ownedJob(token, "RUNNING");
            ws.subscribe(job);
            JsonObject current = ws.next();
            assertEquals("status", current.getString("type"));
            assertEquals(job.toString(), current.getString("jobId"));
            ws.subscribe(job);
            assertEquals("already-subscribed", ws.next().getString("code"));
        }
    }

    @Test
    void unsubscribeStopsTheDelivery() {
        String token = TestJwt.user("ws-unsub-" + UUID.randomUUID());
        UUID job = ownedJob(token, "RUNNING");
        UUID marker = ownedJob(token, "RUNNING");
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            ws.subscribe(job);
            assertEquals("status", ws.next().getString("type"));
            publish(event(job, JobEvent.PROGRESS, JobStatus.RUNNING, 1));
            assertEquals(1, ws.next().getInteger("outputTokens"));

            ws.unsubscribe(job);
            // messages of one connection are handled in order: once the marker's state is back, the unsubscribe is done
            ws.subscribe(marker);
            assertEquals(marker.toString(), ws.next().getString("jobId"));
            publish(event(job, JobEvent.PROGRESS, JobStatus.RUNNING, 2));
            publish(event(marker, JobEvent.PROGRESS, JobStatus.RUNNING, 3));
            JsonObject next = ws.next();
            assertEquals(marker.toString(), next.getString("jobId"), "delivered after unsubscribe: " + next);
        }
    }

    @Test
    void twoUsersEachReceiveOnlyTheirOwnJobs() {
        String alice = TestJwt.user("ws-alice-" + UUID.randomUUID());
        String bob = TestJwt.user("ws-bob-" + UUID.randomUUID());
        UUID alicesJob = ownedJob(alice, "RUNNING");
        UUID bobsJob = ownedJob(bob, "QUEUED");
        try (WsClient a = WsClient.withQueryToken(vertx, alice); WsClient b = WsClient.withHeader(vertx, bob)) {
            a.subscribe(alicesJob);
            assertEquals(alicesJob.toString(), a.next().getString("jobId"));
            b.subscribe(alicesJob); // thesis-service does not show bob alice's job
            JsonObject refused = b.next();
            assertEquals("error", refused.getString("type"));
            assertEquals("job not found", refused.getString("message"));
            b.subscribe(bobsJob);
            assertEquals(bobsJob.toString(), b.next().getString("jobId"));

            publish(event(alicesJob, JobEvent.PROGRESS, JobStatus.RUNNING, 11));
            publish(event(bobsJob, JobEvent.STATUS, JobStatus.RUNNING, null));
            publish(event(alicesJob, JobEvent.PROGRESS, JobStatus.RUNNING, 12));
            publish(event(bobsJob, JobEvent.PROGRESS, JobStatus.RUNNING, 21));

            assertEquals(11, a.next().getInteger("outputTokens"));
            assertEquals(12, a.next().getInteger("outputTokens"), "alice got an event of bob's job");
            JsonObject bobFirst = b.next();
            assertEquals(bobsJob.toString(), bobFirst.getString("jobId"));
            assertEquals("RUNNING", bobFirst.getString("status"));
            JsonObject bobSecond = b.next();
            assertEquals(bobsJob.toString(), bobSecond.getString("jobId"), "bob got an event of alice's job");
            assertEquals(21, bobSecond.getInteger("outputTokens"));
        }
    }

    @Test
    void eventsPublishedWhileTheCurrentStateIsFetchedFollowIt() throws InterruptedException {
        String token = TestJwt.user("ws-held-" + UUID.randomUUID());
        UUID job = UUID.randomUUID();
        backend.stubFor(get(urlEqualTo("/thesis-service/api/jobs/" + job)).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withFixedDelay(1_500).withBody(jobJson(job, "RUNNING"))));
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            ws.subscribe(job);
            // publish only once the gateway is fetching the state (it follows the job before it asks): sent right
            // after the subscribe frame, the event could reach a loaded gateway before the frame did, and an event
            // of a job nobody follows yet is rightly not delivered (a CI run failed on exactly that)
            await(Duration.ofSeconds(5),
                    () -> !backend.findAll(getRequestedFor(urlEqualTo("/thesis-service/api/jobs/" + job))).isEmpty(),
                    () -> "the gateway never asked thesis-service for the job's state");
            publish(event(job, JobEvent.PROGRESS, JobStatus.RUNNING, 7));
            JsonObject current = ws.next();
            assertEquals("status", current.getString("type"), "the current state comes first: " + current);
            JsonObject held = ws.next();
            assertEquals("progress", held.getString("type"));
            assertEquals(7, held.getInteger("outputTokens"));
        }
    }

    @Test
    void aConnectionFollowsAtMostTheConfiguredNumberOfJobs() {
        String token = TestJwt.user("ws-max-" + UUID.randomUUID());
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            for (int i = 0; i < BackendsTestResource.MAX_SUBSCRIPTIONS; i++) {
                ws.subscribe(ownedJob(token, "QUEUED"));
                assertEquals("status", ws.next().getString("type"));
            }
            UUID oneTooMany = ownedJob(token, "QUEUED");
            ws.subscribe(oneTooMany);
            JsonObject error = ws.next();
            assertEquals("too-many-subscriptions", error.getString("code"));
            backend.verify(0, getRequestedFor(urlEqualTo("/thesis-service/api/jobs/" + oneTooMany)));
        }
    }

    @Test
    void theConnectionClosesWhenItsTokenExpires() throws Exception {
        String token = shortLived("ws-expiring-" + UUID.randomUUID(), Instant.now().plusSeconds(2));
        try (WsClient ws = WsClient.withHeader(vertx, token)) {
            assertEquals((short) 1008, ws.closed.get(15, TimeUnit.SECONDS));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /** A job thesis-service shows to the holder of {@code token} only. */
    private UUID ownedJob(String token, String status) {
        UUID job = UUID.randomUUID();
        backend.stubFor(get(urlEqualTo("/thesis-service/api/jobs/" + job)).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(jobJson(job, status))));
        return job;
    }

    /** The shape of thesis-service's JobView (the fields the gateway reads, and some it does not). */
    private static String jobJson(UUID job, String status) {
        String progress = "RUNNING".equals(status) ? ",\"phase\":\"generating\",\"outputTokens\":17" : "";
        return "{\"id\":\"" + job + "\",\"jobId\":\"" + job + "\",\"type\":\"THESES\",\"status\":\"" + status
                + "\",\"attempts\":0,\"progressUrl\":\"/ws/jobs\"" + progress + "}";
    }

    private static JobEvent event(UUID job, String type, JobStatus status, Integer outputTokens) {
        return new JobEvent(JobEvent.SCHEMA_VERSION, job, type, status, outputTokens == null ? null : "generating",
                outputTokens, null, null, 1, Instant.now());
    }

    private void publish(JobEvent event) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, event.jobId().toString(), mapper.writeValueAsString(event)))
                    .get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A token signed with the trusted test key that expires at {@code expiresAt}. test-support offers
     * no such token, so its key pair is read by reflection (test code only).
     */
    private static String shortLived(String subject, Instant expiresAt) throws ReflectiveOperationException {
        java.lang.reflect.Field keys = TestJwt.class.getDeclaredField("KEYS");
        keys.setAccessible(true);
        KeyPair pair = (KeyPair) keys.get(null);
        return Jwt.issuer(TestJwt.ISSUER).subject(subject).upn(subject).groups(java.util.Set.of("user"))
                .issuedAt(Instant.now()).expiresAt(expiresAt).jws().keyId("dialectica-test").sign(pair.getPrivate());
    }
}
