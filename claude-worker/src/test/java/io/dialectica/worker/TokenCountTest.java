package io.dialectica.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.testsupport.TopicCollector;
import io.dialectica.worker.Fixtures.Concept;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.dialectica.worker.WorkerTestResource.claude;
import static io.dialectica.worker.WorkerTestResource.standIn;
import static io.dialectica.worker.WorkerTestResource.topic;
import static io.dialectica.worker.WorkerTestResource.topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact token counts (count_tokens) drive the context's compression: when the exact count of the compressed
 * context is over graph.token-budget (6000), the estimate was too low for that text and the context is
 * compressed further; without a count (count_tokens failing) the estimate decides and the job runs as before.
 */
@QuarkusTest
@QuarkusTestResource(WorkerTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokenCountTest {

    private static Concept concept(String label) {
        Concept c = Fixtures.concept(label + "-" + UUID.randomUUID().toString().substring(0, 6), 20);
        Fixtures.stubGraph(c);
        claude.stubFor(post(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name()))
                .willReturn(aResponse().proxiedFrom(standIn.baseUrl())));
        return c;
    }

    private static GenerationResult run(Concept c) {
        UUID job = UUID.randomUUID();
        Fixtures.publish(Fixtures.theses(job, c.id(), 2));
        GenerationResult r = topics.await(topic("results"), job.toString(), GenerationResult.class, l -> !l.isEmpty(),
                Duration.ofSeconds(30)).getFirst();
        assertTrue(r.succeeded(), () -> "failed: " + r.error());
        return r;
    }

    /** Categories in the context block of the concept's first Messages call. */
    private static int categoriesSent(Concept c) throws Exception {
        String body = claude.findAll(postRequestedFor(urlPathEqualTo("/v1/messages")).withRequestBody(containing(c.name())))
                .getFirst().getBodyAsString();
        JsonNode request = TopicCollector.MAPPER.readTree(body);
        String context = request.path("messages").get(0).path("content").get(0).path("text").asText();
        return context.split("\"centrality\"", -1).length - 1;
    }

    @Test
    @Order(1)
    void anExactCountOverTheBudgetCompressesFurther() throws Exception {
        Concept c = concept("Counted");
        // the API counts this concept's prompts at 60 000 tokens (the estimate says ~1 000): 10 x the budget
        claude.stubFor(post(urlPathEqualTo("/v1/messages/count_tokens")).atPriority(1)
                .withRequestBody(containing(c.name())).willReturn(okJson("{\"input_tokens\": 60000}")));
        run(c);
        int sent = categoriesSent(c);
        assertTrue(sent >= 1 && sent < 20, "compressed to the exact count: " + sent + " of 20 categories sent");
        assertTrue(claude.findAll(postRequestedFor(urlPathEqualTo("/v1/messages/count_tokens"))
                .withRequestBody(containing(c.name()))).size() >= 2, "counted, compressed, counted again");
    }

    @Test
    @Order(2) // last: a failed count makes the worker estimate for a minute
    void withoutACountTheEstimateDecides() throws Exception {
        Concept c = concept("Uncounted");
        claude.stubFor(post(urlPathEqualTo("/v1/messages/count_tokens")).atPriority(1)
                .withRequestBody(containing(c.name())).willReturn(aResponse().withStatus(500)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}")));
        GenerationResult r = run(c);
        assertEquals(20, categoriesSent(c), "the estimate (~1 000 tokens) is within the budget: nothing dropped");
        assertEquals(1, r.interactions().size());
    }
}
