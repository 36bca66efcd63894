package io.dialectica.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.GenerationResult.Interaction;
import io.dialectica.testsupport.TopicCollector;
import io.dialectica.worker.Fixtures.Concept;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.dialectica.worker.WorkerTestResource.claude;
import static io.dialectica.worker.WorkerTestResource.standIn;
import static io.dialectica.worker.WorkerTestResource.topic;
import static io.dialectica.worker.WorkerTestResource.topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prompt laid out for the cache, end to end: the worker's requests go through WireMock to the project's
 * stand-in, which caches prompt prefixes as the Messages API does and reports the usage fields. Two jobs on one
 * concept: the first writes the prefix (system + context), the second reads it; a repair round-trip reads it;
 * a changed concept writes a new one; a prefix below the model's minimum is not marked; every interaction's
 * cost is the price table applied to its usage, exactly; a response-cache hit costs nothing.
 */
@QuarkusTest
@QuarkusTestResource(WorkerTestResource.class)
class PromptCachingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    // claude-sonnet-4-5 in application.properties: what the stand-in reports as the model
    private static final BigDecimal IN = new BigDecimal("3.00");
    private static final BigDecimal OUT = new BigDecimal("15.00");

    private static Concept concept(String label, int categories) {
        Concept c = Fixtures.concept(label + "-" + UUID.randomUUID().toString().substring(0, 6), categories);
        Fixtures.stubGraph(c);
        return c;
    }

    /** The concept's Messages calls go to the stand-in (optionally with a fault header). */
    private static void viaStandIn(Concept c, String fault) {
        var response = aResponse().proxiedFrom(standIn.baseUrl());
        if (fault != null) {
            response = response.withAdditionalRequestHeader("x-standin-fault", fault);
        }
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name())).willReturn(response));
    }

    private static GenerationResult run(Concept c, int count, String language) {
        UUID job = UUID.randomUUID();
        Fixtures.publish(new io.dialectica.contracts.generation.GenerationRequest(1, job,
                io.dialectica.contracts.generation.JobType.THESES, "alice", List.of(c.id()), count, language, null,
                java.time.Instant.now()));
        GenerationResult r = topics.await(topic("results"), job.toString(), GenerationResult.class, l -> !l.isEmpty(), WAIT)
                .getFirst();
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        return r;
    }

    private static List<JsonNode> bodies(Concept c) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (LoggedRequest r : claude.findAll(postRequestedFor(urlPathEqualTo("/v1/messages"))
                .withRequestBody(containing(c.name()))).stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
                .toList()) {
            out.add(TopicCollector.MAPPER.readTree(r.getBodyAsString()));
        }
        return out;
    }

    private static void assertPricedExactly(Interaction i) {
        BigDecimal expected = IN.multiply(BigDecimal.valueOf(i.inputTokens()))
                .add(IN.multiply(new BigDecimal("1.25")).multiply(BigDecimal.valueOf(i.cacheCreationInputTokens())))
                .add(IN.multiply(new BigDecimal("0.1")).multiply(BigDecimal.valueOf(i.cacheReadInputTokens())))
                .add(OUT.multiply(BigDecimal.valueOf(i.outputTokens())))
                .divide(BigDecimal.valueOf(1_000_000));
        assertEquals(0, expected.compareTo(i.estimatedCostUsd()), () -> "cost of " + i + " should be " + expected);
        assertTrue(i.estimatedCostUsd().signum() > 0, i::toString);
    }

    @Test
    void aSecondJobOnTheSameConceptReadsTheCachedPrefix() throws Exception {
        Concept c = concept("Cached", 20);
        viaStandIn(c, null);

        Interaction first = run(c, 3, "en").interactions().getFirst();
        assertEquals("claude-sonnet-4-5", first.model());
        assertTrue(first.cacheCreationInputTokens() >= 1024, () -> "the prefix is written: " + first);
        assertEquals(0, first.cacheReadInputTokens(), first::toString);
        assertTrue(first.inputTokens() < 60, () -> "only the task is uncached input: " + first);
        assertPricedExactly(first);

        // the request: no breakpoint on the (short) system text, one after the context block, none on the task
        JsonNode body = bodies(c).getFirst();
        assertTrue(body.path("system").get(0).path("cache_control").isMissingNode(), body.path("system").toString());
        JsonNode content = body.path("messages").get(0).path("content");
        assertEquals("ephemeral", content.get(0).path("cache_control").path("type").asText(), content.toString());
        assertTrue(content.get(0).path("text").asText().contains("```json"));
        assertTrue(content.get(1).path("cache_control").isMissingNode());
        assertTrue(content.get(1).path("text").asText().contains("exactly 3 theses"));

        // another count and language on the same concept within the lifetime: the prefix is read
        GenerationResult second = run(c, 5, "de");
        assertFalse(second.cacheHit());
        Interaction read = second.interactions().getFirst();
        assertEquals(first.cacheCreationInputTokens(), read.cacheReadInputTokens(), read::toString);
        assertEquals(0, read.cacheCreationInputTokens(), read::toString);
        assertPricedExactly(read);

        // the identical request again: the response cache answers, at no cost
        GenerationResult again = run(c, 3, "en");
        assertTrue(again.cacheHit());
        assertEquals(0, again.interactions().getFirst().estimatedCostUsd().signum());
        assertEquals(2, bodies(c).size(), "no third Messages call");

        // the concept changes: the context block changes, a new prefix is written, nothing read
        Map<String, Double> centrality = new LinkedHashMap<>(c.centrality());
        centrality.put(c.name() + " Z", 0.001);
        Concept changed = new Concept(c.id(), c.name(), centrality, c.relations());
        Fixtures.stubGraph(changed);
        Interaction rewritten = run(changed, 3, "en").interactions().getFirst();
        assertEquals(0, rewritten.cacheReadInputTokens(), rewritten::toString);
        assertTrue(rewritten.cacheCreationInputTokens() > first.cacheCreationInputTokens(), rewritten::toString);
        assertPricedExactly(rewritten);

        String metrics = RestAssured.get("/q/metrics").asString();
        assertTrue(counter(metrics, "dialectica_claude_tokens_total", "kind=\"cache_read\"", "model=\"claude-sonnet-4-5\"") > 0,
                "cache reads counted by kind and model");
        assertTrue(counter(metrics, "dialectica_claude_tokens_total", "kind=\"cache_write\"", "model=\"claude-sonnet-4-5\"") > 0);
        assertTrue(counter(metrics, "dialectica_claude_cost_usd_total", "model=\"claude-sonnet-4-5\"") > 0);
    }

    @Test
    void theRepairRoundTripReadsThePrefixItsFirstCallWrote() throws Exception {
        Concept c = concept("RepairCached", 20);
        viaStandIn(c, "invalid-json-once");
        GenerationResult r = run(c, 4, "en");
        assertEquals(List.of("generate", "repair"), r.interactions().stream().map(Interaction::purpose).toList());
        Interaction generate = r.interactions().get(0);
        Interaction repair = r.interactions().get(1);
        assertTrue(generate.cacheCreationInputTokens() >= 1024, generate::toString);
        assertEquals(generate.cacheCreationInputTokens(), repair.cacheReadInputTokens(), repair::toString);
        assertEquals(0, repair.cacheCreationInputTokens(), repair::toString);
        r.interactions().forEach(PromptCachingTest::assertPricedExactly);
        // the repair message does not send the context again: it is in the conversation already
        JsonNode repairBody = bodies(c).get(1);
        JsonNode last = repairBody.path("messages").get(2).path("content");
        assertFalse(last.toString().contains("```json"), last.toString());
        assertTrue(last.toString().contains("exactly 4 theses"), last.toString());
    }

    @Test
    void aPrefixBelowTheModelsMinimumIsNotMarked() throws Exception {
        Concept c = concept("Small", 3);
        viaStandIn(c, null);
        Interaction i = run(c, 2, "en").interactions().getFirst();
        assertEquals(0, i.cacheCreationInputTokens());
        assertEquals(0, i.cacheReadInputTokens());
        assertFalse(bodies(c).getFirst().toString().contains("cache_control"), "nothing marked below 1024 tokens");
        assertPricedExactly(i);
    }

    private static double counter(String metrics, String name, String... labels) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
