package io.dialectica.local.standin;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Message Batches endpoints through the official SDK ({@code client.messages().batches()}), as claude-worker
 * uses them: create, retrieve until ended, results as JSON Lines keyed by custom_id, cancel, expiry.
 */
class BatchesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The SDK client, closed with the test's stand-in. */
    record Sdk(AnthropicClient client) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    static StandInConfig config(long processingMs, long expiryMs) {
        return new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0, Optional.empty()).withCache(300, 1)
                .withBatches(processingMs, expiryMs);
    }

    static BatchCreateParams.Request request(String customId, int count, boolean cached) {
        String context = "Context:\n```json\n" + ClaudeStandInTest.context("dialectica.theses.v1", null, null,
                ClaudeStandInTest.hegel()).toPrettyString() + "\n```";
        TextBlockParam.Builder block = TextBlockParam.builder().text(context);
        if (cached) {
            block.cacheControl(CacheControlEphemeral.builder().build());
        }
        String task = "Formulate exactly " + count + " theses about the concept \"Being, Nothing, Becoming\".";
        return BatchCreateParams.Request.builder().customId(customId)
                .params(BatchCreateParams.Request.Params.builder().model("claude-sonnet-4-5").maxTokens(4096)
                        .system(ClaudeStandInTest.SYSTEM)
                        .addMessage(MessageParam.builder().role(MessageParam.Role.USER).contentOfBlockParams(List.of(
                                ContentBlockParam.ofText(block.build()),
                                ContentBlockParam.ofText(TextBlockParam.builder().text(task).build()))).build())
                        .build())
                .build();
    }

    static MessageBatch awaitEnded(AnthropicClient sdk, String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MessageBatch b = sdk.messages().batches().retrieve(id);
            if (b.processingStatus().equals(MessageBatch.ProcessingStatus.ENDED) || System.nanoTime() > deadline) {
                return b;
            }
            Thread.sleep(50);
        }
    }

    static Map<String, MessageBatchIndividualResponse> results(AnthropicClient sdk, String id) {
        Map<String, MessageBatchIndividualResponse> out = new HashMap<>();
        try (StreamResponse<MessageBatchIndividualResponse> lines = sdk.messages().batches().resultsStreaming(id)) {
            lines.stream().forEach(r -> assertTrue(out.put(r.customId(), r) == null, "a custom_id twice: " + r.customId()));
        }
        return out;
    }

    @Test
    void aBatchIsInProgressThenEndsWithEveryResultOnceByCustomId() throws Exception {
        try (ClaudeStandIn s = ClaudeStandIn.start(config(600, 60_000)); Sdk c = new Sdk(ClaudeStandInTest.client(s))) {
            AnthropicClient sdk = c.client();
            long t0 = System.nanoTime();
            MessageBatch created = sdk.messages().batches().create(BatchCreateParams.builder()
                    .addRequest(request("job-a", 3, true)).addRequest(request("job-b", 4, true))
                    .addRequest(request("job-c", 5, false)).build());
            assertTrue(created.id().startsWith("msgbatch_"), created.id());
            assertEquals(MessageBatch.ProcessingStatus.IN_PROGRESS, created.processingStatus());
            assertEquals(3, created.requestCounts().processing());
            assertTrue(created.resultsUrl().isEmpty(), "no results_url before the batch ended");
            assertTrue(Duration.between(created.createdAt(), created.expiresAt()).toSeconds() >= 59);
            // results before the end: refused
            assertThrows(BadRequestException.class, () -> results(sdk, created.id()));

            MessageBatch ended = awaitEnded(sdk, created.id(), Duration.ofSeconds(10));
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(600).toNanos(), "ended before the processing time");
            assertEquals(MessageBatch.ProcessingStatus.ENDED, ended.processingStatus());
            assertEquals(3, ended.requestCounts().succeeded());
            assertEquals(0, ended.requestCounts().processing());
            assertTrue(ended.endedAt().isPresent());
            assertTrue(ended.resultsUrl().orElseThrow().endsWith("/v1/messages/batches/" + created.id() + "/results"));

            Map<String, MessageBatchIndividualResponse> results = results(sdk, created.id());
            assertEquals(java.util.Set.of("job-a", "job-b", "job-c"), results.keySet());
            for (Map.Entry<String, Integer> e : Map.of("job-a", 3, "job-b", 4, "job-c", 5).entrySet()) {
                var message = results.get(e.getKey()).result().asSucceeded().message();
                String text = message.content().getFirst().asText().text();
                assertEquals(e.getValue(), JSON.readTree(text).path("theses").size(), text);
            }
            // the prompt cache works in a batch as outside: job-a writes the marked context, job-b reads it
            var a = results.get("job-a").result().asSucceeded().message().usage();
            var b = results.get("job-b").result().asSucceeded().message().usage();
            assertTrue(a.cacheCreationInputTokens().orElse(0L) > 0, a.toString());
            assertEquals(a.cacheCreationInputTokens().orElseThrow(), b.cacheReadInputTokens().orElseThrow(), b.toString());

            JsonNode stats = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(3, stats.path("batchRequests").asInt(), stats.toString());
            // the list has it
            assertEquals(created.id(), sdk.messages().batches().list().data().getFirst().id());
        }
    }

    @Test
    void badParamsAreAnErroredResultAndBadCustomIdsRefuseTheBatch() throws Exception {
        try (ClaudeStandIn s = ClaudeStandIn.start(config(100, 60_000)); Sdk c = new Sdk(ClaudeStandInTest.client(s))) {
            AnthropicClient sdk = c.client();
            String body = """
                    {"requests": [
                      {"custom_id": "ok", "params": {"model": "claude-sonnet-4-5", "max_tokens": 100,
                        "messages": [{"role": "user", "content": "Hello"}]}},
                      {"custom_id": "no-max-tokens", "params": {"model": "claude-sonnet-4-5",
                        "messages": [{"role": "user", "content": "Hello"}]}}]}""";
            HttpResponse<String> r = post(s, "/v1/messages/batches", body);
            assertEquals(200, r.statusCode(), r.body());
            String id = JSON.readTree(r.body()).path("id").asText();
            MessageBatch ended = awaitEnded(sdk, id, Duration.ofSeconds(10));
            assertEquals(1, ended.requestCounts().succeeded());
            assertEquals(1, ended.requestCounts().errored());
            var errored = results(sdk, id).get("no-max-tokens").result();
            assertTrue(errored.isErrored());
            assertTrue(errored.asErrored().error().toString().contains("max_tokens: Field required"), errored.toString());

            HttpResponse<String> dup = post(s, "/v1/messages/batches", """
                    {"requests": [{"custom_id": "x", "params": {}}, {"custom_id": "x", "params": {}}]}""");
            assertEquals(400, dup.statusCode());
            assertTrue(dup.body().contains("Duplicate custom_id"), dup.body());
            HttpResponse<String> badId = post(s, "/v1/messages/batches", """
                    {"requests": [{"custom_id": "has space", "params": {}}]}""");
            assertEquals(400, badId.statusCode());
            assertEquals(400, post(s, "/v1/messages/batches", "{\"requests\": []}").statusCode());
            assertThrows(NotFoundException.class, () -> sdk.messages().batches().retrieve("msgbatch_nope"));
        }
    }

    @Test
    void aCancelledBatchEndsWithItsRequestsCanceled() throws Exception {
        try (ClaudeStandIn s = ClaudeStandIn.start(config(60_000, 120_000)); Sdk c = new Sdk(ClaudeStandInTest.client(s))) {
            AnthropicClient sdk = c.client();
            MessageBatch created = sdk.messages().batches().create(BatchCreateParams.builder()
                    .addRequest(request("one", 3, false)).addRequest(request("two", 3, false)).build());
            MessageBatch canceling = sdk.messages().batches().cancel(created.id());
            assertEquals(MessageBatch.ProcessingStatus.CANCELING, canceling.processingStatus());
            assertTrue(canceling.cancelInitiatedAt().isPresent());
            MessageBatch ended = awaitEnded(sdk, created.id(), Duration.ofSeconds(5));
            assertEquals(MessageBatch.ProcessingStatus.ENDED, ended.processingStatus());
            assertEquals(2, ended.requestCounts().canceled());
            Map<String, MessageBatchIndividualResponse> results = results(sdk, created.id());
            assertTrue(results.get("one").result().isCanceled());
            assertTrue(results.get("two").result().isCanceled());
            // a cancel after the end changes nothing
            assertEquals(MessageBatch.ProcessingStatus.ENDED, sdk.messages().batches().cancel(created.id()).processingStatus());
        }
    }

    @Test
    void aBatchExpiresAtItsExpiryOrWhenForced() throws Exception {
        // processing longer than the expiry: the batch expires
        try (ClaudeStandIn s = ClaudeStandIn.start(config(60_000, 400)); Sdk c = new Sdk(ClaudeStandInTest.client(s))) {
            AnthropicClient sdk = c.client();
            MessageBatch created = sdk.messages().batches().create(BatchCreateParams.builder()
                    .addRequest(request("late", 3, false)).build());
            MessageBatch ended = awaitEnded(sdk, created.id(), Duration.ofSeconds(5));
            assertEquals(1, ended.requestCounts().expired());
            assertTrue(results(sdk, created.id()).get("late").result().isExpired());
        }
        // forced (tests): POST /batches/{id}/expire, found by GET /batches with its custom ids
        try (ClaudeStandIn s = ClaudeStandIn.start(config(60_000, 120_000)); Sdk c = new Sdk(ClaudeStandInTest.client(s))) {
            AnthropicClient sdk = c.client();
            MessageBatch created = sdk.messages().batches().create(BatchCreateParams.builder()
                    .addRequest(request("job-x", 3, false)).build());
            JsonNode listed = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/batches")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("job-x", listed.get(0).path("custom_ids").get(0).asText());
            assertEquals(200, post(s, "/batches/" + created.id() + "/expire", "").statusCode());
            MessageBatch ended = sdk.messages().batches().retrieve(created.id());
            assertEquals(MessageBatch.ProcessingStatus.ENDED, ended.processingStatus());
            assertTrue(results(sdk, created.id()).get("job-x").result().isExpired());
            assertFalse(results(sdk, created.id()).get("job-x").result().isSucceeded());
        }
    }

    static HttpResponse<String> post(ClaudeStandIn s, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + path)).header("x-api-key", "k")
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
