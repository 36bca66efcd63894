package io.dialectica.worker;

import io.dialectica.testsupport.TestJwt;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.worker.Fixtures.Concept;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.dialectica.worker.WorkerTestResource.claude;
import static io.dialectica.worker.WorkerTestResource.topic;
import static io.dialectica.worker.WorkerTestResource.topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests through real Kafka and Redis into the worker, WireMock as graph-service and as the Messages
 * API (SSE bodies as the API streams them). Every test has its own concept, so its Messages API stubs
 * match on the concept's name in the prompt and tests cannot see each other's calls.
 */
@QuarkusTest
@QuarkusTestResource(WorkerTestResource.class)
class GenerationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static GenerationResult result(UUID job) {
        return topics.await(topic("results"), job.toString(), GenerationResult.class, l -> !l.isEmpty(), WAIT).getFirst();
    }

    private static List<JobEvent> events(UUID job) {
        return topics.values(topic("progress"), job.toString(), JobEvent.class);
    }

    private static List<LoggedRequest> messagesCalls(Concept c) {
        return claude.findAll(postRequestedFor(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name())))
                .stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }

    private static double cancelledJobs() {
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith("dialectica_worker_jobs_total{") && l.contains("outcome=\"cancelled\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static Concept concept(String label, int categories) {
        Concept c = Fixtures.concept(label + "-" + UUID.randomUUID().toString().substring(0, 6), categories);
        Fixtures.stubGraph(c);
        return c;
    }

    @Test
    void thesesStreamProgressAndSucceed() throws Exception {
        // a warm-up job first: the first call of a fresh JVM spends seconds loading the SDK, long enough
        // on a loaded machine for the whole dribbled stream to arrive before the first read
        Concept warm = concept("WarmUp", 3);
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(warm.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(warm, 1), 2))));
        UUID warmJob = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(warmJob, warm.id(), 1));
        result(warmJob);

        Concept c = concept("Streamed", 4);
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 3), 12))
                        .withChunkedDribbleDelay(12, 2400)));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 3));

        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        assertEquals(3, r.theses().size());
        assertEquals(List.of(1, 2, 3), r.theses().stream().map(GenerationResult.Thesis::order).toList());
        assertEquals(List.of(c.categoryNames().get(0), c.categoryNames().get(2)), r.theses().get(1).categories());
        assertEquals("stand-in", r.generatedBy());
        assertEquals("theses.v2", r.promptVersion());
        assertFalse(r.cacheHit());
        assertEquals(1, r.interactions().size());
        assertEquals(321, r.interactions().getFirst().inputTokens());
        assertEquals("claude-test", r.interactions().getFirst().model());

        List<JobEvent> events = events(job);
        assertEquals(JobEvent.STATUS, events.getFirst().type());
        assertEquals(JobStatus.RUNNING, events.getFirst().status());
        List<JobEvent> generating = events.stream()
                .filter(e -> JobEvent.PROGRESS.equals(e.type()) && "generating".equals(e.phase())
                        && e.outputTokens() != null && e.outputTokens() > 0).toList();
        assertTrue(generating.size() >= 3, () -> "progress while streaming: " + events);
        for (int i = 1; i < generating.size(); i++) {
            assertTrue(generating.get(i).outputTokens() >= generating.get(i - 1).outputTokens(), events::toString);
        }
        assertTrue(events.stream().anyMatch(e -> "context".equals(e.phase())));
        assertTrue(events.stream().anyMatch(e -> "validating".equals(e.phase())));

        // the prompt: context as a fenced json block, the schema name, the categories by name
        String prompt = messagesCalls(c).getFirst().getBodyAsString();
        assertTrue(prompt.contains("dialectica.theses.v1"));
        assertTrue(prompt.contains("```json"));
        assertTrue(prompt.contains(c.categoryNames().get(3)));
        // the graph was read with a service token: RS256, kid, upn claude-worker, group service
        var graphCall = WorkerTestResource.graph.findAll(getRequestedFor(urlPathEqualTo("/api/graph/concepts/" + c.id())))
                .getFirst();
        String[] jwt = graphCall.getHeader("Authorization").substring("Bearer ".length()).split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(jwt[0]), StandardCharsets.UTF_8);
        String claims = new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"RS256\"") && header.contains("\"dialectica-test\""), header);
        assertTrue(claims.contains("\"upn\":\"claude-worker\"") && claims.contains("\"service\""), claims);
        var verifier = java.security.Signature.getInstance("SHA256withRSA");
        verifier.initVerify(TestJwt.publicKey());
        verifier.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(Base64.getUrlDecoder().decode(jwt[2])), "signed with the configured key");
    }

    @Test
    void theContextCarriesTheThreeMostSimilarConceptsWithWhy() {
        Concept c = concept("Virtue", 4);
        UUID near = UUID.randomUUID();
        String longDescription = "Moral excellence as a settled disposition of character, acquired by habit and aimed "
                + "at eudaimonia, the flourishing life; the virtuous person hits the mean between excess and deficiency, "
                + "guided by practical wisdom.";
        Fixtures.stubSimilar(c, List.of(
                Fixtures.similarItem(near, "Aristotelian ethics", longDescription, 0.93, c.categoryNames().getFirst()),
                Fixtures.similarItem(UUID.randomUUID(), "Confucian virtue", "Ren and li.", 0.88),
                Fixtures.similarItem(UUID.randomUUID(), "Stoic virtue", "Virtue is the only good.", 0.86),
                Fixtures.similarItem(UUID.randomUUID(), "Care ethics", "Relations of care.", 0.71)));
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 2))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));
        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());

        // the prompt is JSON inside JSON: quotes come escaped
        String prompt = messagesCalls(c).getFirst().getBodyAsString().replace("\\\"", "\"");
        assertTrue(prompt.contains("\"similar\":[{\"id\":\"" + near + "\",\"name\":\"Aristotelian ethics\""), prompt);
        assertTrue(prompt.contains("\"why\":\"close in meaning to " + c.name() + " (similarity 0.93), shares "
                + c.categoryNames().getFirst() + "\""), prompt);
        assertTrue(prompt.contains("\"why\":\"close in meaning to " + c.name()
                + " (similarity 0.88), no category in common\""),
                prompt);
        assertTrue(prompt.contains("Stoic virtue"), prompt);
        assertFalse(prompt.contains("Care ethics"), "only the three most similar: " + prompt);
        assertFalse(prompt.contains("guided by practical wisdom"), "a short description: " + prompt);
        assertTrue(prompt.contains("Moral excellence as a settled disposition"), prompt);
        // a concept without vectors (no stub: 404) simply has none, as every other test here shows
    }

    @Test
    void rateLimitedWithRetryAfterIsRetriedAfterThatDelay() {
        Concept c = concept("Limited", 3);
        String s = "limited-" + c.id();
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("second")
                .willReturn(aResponse().withStatus(429).withHeader("retry-after", "2")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}")));
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs("second")
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 4))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));

        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        List<LoggedRequest> calls = messagesCalls(c);
        assertEquals(2, calls.size());
        long gap = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertTrue(gap >= 2000, "retry-after: 2 honoured, the retry came after " + gap + " ms");
        assertTrue(events(job).stream().anyMatch(e -> JobEvent.ERROR.equals(e.type()) && e.status() == JobStatus.RUNNING
                && e.message().contains("rate limited")), "a transient error event tells the subscriber");
    }

    @Test
    void overloadedIsRetriedWithBackoff() {
        Concept c = concept("Overloaded", 3);
        String s = "overloaded-" + c.id();
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("second")
                .willReturn(aResponse().withStatus(529).withHeader("Content-Type", "application/json")
                        .withBody("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")));
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs("second")
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 4))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));

        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        List<LoggedRequest> calls = messagesCalls(c);
        assertEquals(2, calls.size());
        long gap = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertTrue(gap >= 100, "initial backoff 100 ms in tests, was " + gap);
        assertTrue(events(job).stream().anyMatch(e -> JobEvent.ERROR.equals(e.type()) && e.message().contains("overloaded")));
    }

    @Test
    void aStalledStreamTimesOutAndIsRetried() {
        Concept c = concept("Stalled", 3);
        String s = "stalled-" + c.id();
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("second")
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 4)).withFixedDelay(6000)));
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs("second")
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 4))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));

        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        assertEquals(2, messagesCalls(c).size());
        assertTrue(events(job).stream().anyMatch(e -> JobEvent.ERROR.equals(e.type()) && e.message().contains("timed out")),
                () -> "events: " + events(job));
    }

    @Test
    void anErrorEventInMidStreamIsRetried() {
        Concept c = concept("MidStream", 3);
        String s = "midstream-" + c.id();
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("second")
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 6, "overloaded_error"))));
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs("second")
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 4))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));

        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        assertEquals(2, r.theses().size());
        assertEquals(2, messagesCalls(c).size());
        assertTrue(events(job).stream().anyMatch(e -> JobEvent.ERROR.equals(e.type()) && e.message().contains("error event")),
                () -> "events: " + events(job));
    }

    @Test
    void invalidJsonIsRepairedOnce() {
        Concept c = concept("Repaired", 3);
        String s = "repair-" + c.id();
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("repair")
                .willReturn(Fixtures.sseResponse(Fixtures.sse("Here are your theses: {\"theses\": [oops", 3))));
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .inScenario(s).whenScenarioStateIs("repair")
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 4))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));

        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        assertEquals(List.of("generate", "repair"), r.interactions().stream().map(GenerationResult.Interaction::purpose).toList());
        String repair = messagesCalls(c).get(1).getBodyAsString();
        assertTrue(repair.contains("does not match the output schema dialectica.theses.v1"), repair);
        assertTrue(repair.contains("oops"), "the invalid answer is part of the conversation");
        assertTrue(events(job).stream().anyMatch(e -> "repairing".equals(e.phase())));
    }

    @Test
    void invalidTwiceFailsWithTheReason() {
        Concept c = concept("Hopeless", 3);
        String wrong = "{\"theses\":[{\"text\":\"t\",\"rationale\":\"r\",\"categories\":[\"Not a category\"]}]}";
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(wrong, 3))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));

        GenerationResult r = result(job);
        assertFalse(r.succeeded());
        assertTrue(r.error().contains("did not match dialectica.theses.v1 after one repair"), r.error());
        assertTrue(r.error().contains("\"Not a category\" is not a category of the context"), r.error());
        assertTrue(r.error().contains("exactly 2 elements"), r.error());
        assertEquals(2, messagesCalls(c).size());
        assertNull(r.theses());
    }

    @Test
    void poisonRequestsGoToTheDeadLetterTopicAndFail() {
        UUID unreadable = UUID.randomUUID();
        Fixtures.publishRaw(unreadable.toString(), "{not json".getBytes(StandardCharsets.UTF_8));
        UUID badType = UUID.randomUUID();
        Fixtures.publishRaw(badType.toString(), ("{\"v\":1,\"jobId\":\"" + badType + "\",\"type\":\"POEM\","
                + "\"conceptIds\":[\"" + UUID.randomUUID() + "\"],\"count\":3}").getBytes(StandardCharsets.UTF_8));
        UUID badCount = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(badCount, UUID.randomUUID(), 0));
        UUID synthesisOfOne = UUID.randomUUID();
        Fixtures.publish(Fixtures.synthesis(synthesisOfOne, List.of(UUID.randomUUID()), "dialectical"));
        // a good request behind them on the same partitions is not blocked
        Concept c = concept("AfterPoison", 3);
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 1), 2))));
        UUID good = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(good, c.id(), 1));

        for (UUID job : List.of(unreadable, badType, badCount, synthesisOfOne)) {
            var dead = topics.awaitRecords(topic("dead-letter"), job.toString(), WAIT);
            assertEquals(1, dead.size());
            var record = topics.on(topic("dead-letter"), job.toString()).getFirst();
            assertNotNull(record.headers().lastHeader("dialectica-error"));
            GenerationResult r = result(job);
            assertFalse(r.succeeded());
            assertTrue(r.error().startsWith("poison request"), r.error());
        }
        assertEquals("{not json", new String(topics.on(topic("dead-letter"), unreadable.toString()).getFirst().value(),
                StandardCharsets.UTF_8), "the original value, unchanged");
        assertTrue(result(badCount).error().contains("count must be 1 to 10"));
        assertTrue(result(synthesisOfOne).error().contains("SYNTHESIS takes 2 to 5 concepts"));
        assertTrue(result(good).succeeded());
    }

    @Test
    void anIdenticalRequestIsAnsweredFromTheCache() {
        Concept c = concept("Cached", 3);
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 4))));
        UUID first = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(first, c.id(), 2));
        GenerationResult a = result(first);
        assertTrue(a.succeeded() && !a.cacheHit());

        UUID second = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(second, c.id(), 2));
        GenerationResult b = result(second);
        assertTrue(b.succeeded());
        assertTrue(b.cacheHit());
        assertTrue(b.interactions().getFirst().cacheHit());
        assertEquals(a.theses(), b.theses());
        assertEquals(1, messagesCalls(c).size(), "the second job did not call the Messages API");
        assertTrue(events(second).stream().anyMatch(e -> "cached".equals(e.phase())));

        // other parameters: not the same request
        UUID third = UUID.randomUUID();
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 1), 2))));
        Fixtures.publish(Fixtures.theses(third, c.id(), 1));
        GenerationResult d = result(third);
        assertTrue(d.succeeded() && !d.cacheHit());
        assertEquals(2, messagesCalls(c).size());
    }

    @Test
    void aSynthesisOfTwoConceptsProposesAConcept() {
        Concept a = concept("Being", 3);
        Concept b = concept("Nothing", 3);
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(a.name()))
                .withRequestBody(containing(b.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.synthesisAnswer("Becoming " + a.name()), 5))));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.synthesis(job, List.of(a.id(), b.id()), "dialectical"));

        GenerationResult r = result(job);
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        assertEquals("synthesis.v2", r.promptVersion());
        assertEquals("Becoming " + a.name(), r.synthesis().name());
        assertEquals(List.of(a.id(), b.id()), r.synthesis().sourceConceptIds());
        assertEquals("dialectical", r.synthesis().mode());
        assertEquals("SUBLATES", r.synthesis().relations().getFirst().type());
        String prompt = messagesCalls(a).getFirst().getBodyAsString();
        assertTrue(prompt.contains("dialectica.synthesis.v1") && prompt.contains(b.categoryNames().getFirst()));
    }

    @Test
    void aCancelledJobStopsStreamingAndPublishesNoResult() {
        Concept c = concept("Cancelled", 3);
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(Fixtures.sseResponse(Fixtures.sse(Fixtures.thesesAnswer(c, 2), 20))
                        .withChunkedDribbleDelay(20, 12_000)));
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));
        topics.await(topic("progress"), job.toString(), JobEvent.class,
                l -> l.stream().anyMatch(e -> "generating".equals(e.phase())), WAIT);
        long started = System.nanoTime();
        Fixtures.publishTo(topic("progress"), job.toString(), new JobEvent(1, job, JobEvent.STATUS, JobStatus.CANCELLED,
                null, null, null, "cancelled by the user", 0, java.time.Instant.now()));
        // the worker aborts the stream at once (counted as a cancelled job), long before the stream would end
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (cancelledJobs() < 1) {
            assertTrue(System.nanoTime() < deadline, "the job was not aborted");
            sleep(100);
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 9000, "before the 10-s stream ended");
        sleep(500);
        assertTrue(topics.on(topic("results"), job.toString()).isEmpty());
    }
}
