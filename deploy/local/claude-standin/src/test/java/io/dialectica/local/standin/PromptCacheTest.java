package io.dialectica.local.standin;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompt caching and token counting as the Messages API documents them, through the official SDK: breakpoints
 * on system and user content blocks, the minimum cacheable length, the lifetime refreshed on every read, the
 * {@code cache_creation_input_tokens} / {@code cache_read_input_tokens} usage fields (JSON and streaming), the
 * 20-block lookback, and {@code count_tokens}.
 */
class PromptCacheTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "claude-sonnet-4-5"; // minimum cacheable length 1024 tokens
    private static ClaudeStandIn standIn;
    private static AnthropicClient sdk;

    @BeforeAll
    static void start() throws Exception {
        standIn = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0, Optional.empty()));
        sdk = AnthropicOkHttpClient.builder().baseUrl(standIn.baseUrl()).apiKey("test-key").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        sdk.close();
        standIn.close();
    }

    /** A text of exactly {@code tokens} stand-in tokens (4 characters each), unique per {@code seed}. */
    static String text(String seed, int tokens) {
        StringBuilder b = new StringBuilder(seed).append(": ");
        while (b.length() < tokens * 4) {
            b.append("being passes over into nothing and nothing into being; ");
        }
        return b.substring(0, tokens * 4);
    }

    static TextBlockParam block(String text, boolean breakpoint) {
        TextBlockParam.Builder b = TextBlockParam.builder().text(text);
        if (breakpoint) {
            b.cacheControl(CacheControlEphemeral.builder().build());
        }
        return b.build();
    }

    /** system (a breakpoint after it when asked) + one user message of blocks (a breakpoint after the first one). */
    static MessageCreateParams request(String model, String system, boolean systemBreakpoint, String context,
            boolean contextBreakpoint, String task) {
        List<ContentBlockParam> user = new ArrayList<>();
        user.add(ContentBlockParam.ofText(block(context, contextBreakpoint)));
        user.add(ContentBlockParam.ofText(block(task, false)));
        return MessageCreateParams.builder().model(model).maxTokens(200)
                .systemOfTextBlockParams(List.of(block(system, systemBreakpoint)))
                .addUserMessageOfBlockParams(user).build();
    }

    static Usage usage(MessageCreateParams p) {
        return sdk.messages().create(p).usage();
    }

    static long write(Usage u) {
        return u.cacheCreationInputTokens().orElse(-1L);
    }

    static long read(Usage u) {
        return u.cacheReadInputTokens().orElse(-1L);
    }

    @Test
    void aMarkedPrefixIsWrittenOnceAndReadByTheNextRequest() {
        String system = text("system-a", 300);
        String context = text("context-a", 900);
        Usage first = usage(request(MODEL, system, false, context, true, "Formulate exactly 3 theses."));
        assertEquals(1200, write(first), "system + context written: " + first);
        assertEquals(0, read(first));
        assertEquals(7, first.inputTokens(), "only the task is plain input: " + first);

        // another task on the same prefix reads it: the tokens of the prefix are cache reads
        Usage second = usage(request(MODEL, system, false, context, true, "Formulate exactly 5 theses, in German."));
        assertEquals(0, write(second), second.toString());
        assertEquals(1200, read(second), second.toString());
        assertEquals(10, second.inputTokens(), second.toString());

        // one changed character in the prefix: nothing to read, a new prefix written
        Usage changed = usage(request(MODEL, system, false, context.replaceFirst("being", "Being"), true, "x"));
        assertEquals(0, read(changed), changed.toString());
        assertEquals(1200, write(changed), changed.toString());

        // the model is part of the key
        Usage otherModel = usage(request("claude-sonnet-4", system, false, context, true, "x"));
        assertEquals(0, read(otherModel), otherModel.toString());
    }

    @Test
    void aPrefixShorterThanTheModelsMinimumIsNotCached() {
        String system = text("short-system", 100);
        String context = text("short-context", 900); // 1000 < 1024
        Usage u = usage(request(MODEL, system, false, context, true, "x"));
        assertEquals(0, write(u), u.toString());
        assertEquals(0, read(u));
        assertEquals(1001, u.inputTokens());
        Usage again = usage(request(MODEL, system, false, context, true, "x"));
        assertEquals(0, read(again), "nothing was cached: " + again);
        // Haiku 4.5 needs 4096: a 2000-token prefix is not cached there, but is for Sonnet 4.5
        String longer = text("haiku-context", 2000);
        assertEquals(0, write(usage(request("claude-haiku-4-5", system, false, longer, true, "x"))));
        assertEquals(2100, write(usage(request(MODEL, system, false, longer, true, "x"))));
    }

    @Test
    void unmarkedPromptsAreNeverCached() {
        String system = text("unmarked-system", 1500);
        Usage u = usage(request(MODEL, system, false, "context", false, "task"));
        Usage again = usage(request(MODEL, system, false, "context", false, "task"));
        assertEquals(0, write(u));
        assertEquals(0, read(again));
        assertEquals(u.inputTokens(), again.inputTokens());
    }

    @Test
    void twoBreakpointsWriteBothAndALaterRequestReadsTheLongestItFinds() {
        String system = text("two-system", 1100);
        String context = text("two-context", 600);
        Usage first = usage(request(MODEL, system, true, context, true, "task"));
        assertEquals(1700, write(first), "written up to the last breakpoint: " + first);
        // another context after the same system: the system prefix is read, the new context written
        Usage second = usage(request(MODEL, system, true, text("two-other-context", 600), true, "task"));
        assertEquals(1100, read(second), second.toString());
        assertEquals(600, write(second), second.toString());
        // the repair round-trip: the same first message, an answer and a new user turn: the prefix is read
        List<ContentBlockParam> user = List.of(ContentBlockParam.ofText(block(context, true)),
                ContentBlockParam.ofText(block("task", false)));
        MessageCreateParams repair = MessageCreateParams.builder().model(MODEL).maxTokens(200)
                .systemOfTextBlockParams(List.of(block(system, true))).addUserMessageOfBlockParams(user)
                .addAssistantMessage("{\"theses\": [").addUserMessage("Your previous answer does not match.").build();
        Usage repaired = usage(repair);
        assertEquals(1700, read(repaired), repaired.toString());
        assertEquals(0, write(repaired), repaired.toString());
    }

    @Test
    void aCachedPrefixIsFoundWithinTwentyBlocksBeforeABreakpoint() {
        List<ContentBlockParam> blocks = new ArrayList<>();
        blocks.add(ContentBlockParam.ofText(block(text("lookback-0", 1100), true)));
        usage(MessageCreateParams.builder().model(MODEL).maxTokens(10).addUserMessageOfBlockParams(blocks).build());
        // the same first block unmarked, 10 more blocks, the breakpoint on the last: the first block is read
        List<ContentBlockParam> longer = new ArrayList<>(List.of(ContentBlockParam.ofText(block(text("lookback-0", 1100), false))));
        for (int i = 1; i <= 10; i++) {
            longer.add(ContentBlockParam.ofText(block(text("lookback-" + i, 10), i == 10)));
        }
        Usage u = usage(MessageCreateParams.builder().model(MODEL).maxTokens(10).addUserMessageOfBlockParams(longer).build());
        assertEquals(1100, read(u), u.toString());
        assertEquals(100, write(u), u.toString());
    }

    @Test
    void theLifetimeStartsAgainOnEveryRead() throws Exception {
        try (ClaudeStandIn shortLived = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0,
                Optional.empty()).withCache(2, 0))) {
            AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(shortLived.baseUrl()).apiKey("k")
                    .maxRetries(0).build();
            MessageCreateParams p = request(MODEL, text("ttl-system", 200), false, text("ttl-context", 1000), true, "t");
            assertEquals(1200, write(client.messages().create(p).usage()));
            for (int i = 0; i < 3; i++) {
                Thread.sleep(1200); // 3.6 s in all, longer than the 2 s lifetime: only the reads keep it alive
                Usage u = client.messages().create(p).usage();
                assertEquals(1200, read(u), "read " + (i + 1) + " within the refreshed lifetime: " + u);
            }
            Thread.sleep(2300);
            Usage expired = client.messages().create(p).usage();
            assertEquals(0, read(expired), "expired after 2 s without a read: " + expired);
            assertEquals(1200, write(expired));
            client.close();
        }
    }

    @Test
    void streamingReportsTheCacheFieldsInMessageStartAndMessageDelta() {
        MessageCreateParams p = request(MODEL, text("stream-system", 100), false, text("stream-context", 1000), true,
                "Formulate exactly 2 theses.");
        usage(p);
        long[] start = { -1, -1 };
        long[] delta = { -1, -1 };
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(p)) {
            stream.stream().forEach(e -> {
                if (e.isMessageStart()) {
                    start[0] = e.asMessageStart().message().usage().cacheReadInputTokens().orElse(-1L);
                    start[1] = e.asMessageStart().message().usage().cacheCreationInputTokens().orElse(-1L);
                } else if (e.isMessageDelta()) {
                    delta[0] = e.asMessageDelta().usage().cacheReadInputTokens().orElse(-1L);
                    delta[1] = e.asMessageDelta().usage().cacheCreationInputTokens().orElse(-1L);
                }
            });
        }
        assertEquals(1100, start[0]);
        assertEquals(0, start[1]);
        assertEquals(1100, delta[0]);
        assertEquals(0, delta[1]);
    }

    @Test
    void countTokensCountsWhatAMessagesRequestWouldBill() {
        MessageCreateParams p = request(MODEL, text("count-system", 250), false, text("count-context", 500), false,
                "Formulate exactly 2 theses.");
        long counted = sdk.messages().countTokens(MessageCountTokensParams.builder().model(MODEL)
                .systemOfTextBlockParams(p.system().orElseThrow().asTextBlockParams())
                .messages(p.messages()).build()).inputTokens();
        Usage billed = usage(p);
        assertEquals(billed.inputTokens(), counted);
        assertEquals(750 + 7, counted);
        assertEquals(3, sdk.messages().countTokens(MessageCountTokensParams.builder().model(MODEL)
                .addUserMessage("Hello world!").build()).inputTokens());
    }

    @Test
    void badCacheControlIsRefusedAsTheApiDoes() throws Exception {
        List<ContentBlockParam> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(ContentBlockParam.ofText(block("block " + i, true)));
        }
        BadRequestException tooMany = assertThrows(BadRequestException.class, () -> sdk.messages().create(
                MessageCreateParams.builder().model(MODEL).maxTokens(10).addUserMessageOfBlockParams(five).build()));
        assertTrue(tooMany.getMessage().contains("A maximum of 4 blocks with cache_control"), tooMany.getMessage());

        String body = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"hi\",\"cache_control\":{\"type\":\"persistent\"}}]}]}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(standIn.baseUrl()
                + "/v1/messages")).header("x-api-key", "k").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        JsonNode error = JSON.readTree(r.body());
        assertEquals("invalid_request_error", error.path("error").path("type").asText());
        assertTrue(error.path("error").path("message").asText().contains("cache_control.type"), r.body());

        // count_tokens needs no max_tokens, but a model and messages
        HttpResponse<String> noModel = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                standIn.baseUrl() + "/v1/messages/count_tokens")).header("x-api-key", "k")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, noModel.statusCode());
        assertTrue(noModel.body().contains("model: Field required"), noModel.body());
    }

    private static boolean cut(Message m) {
        try {
            JSON.readTree(m.content().getFirst().text().orElseThrow().text());
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    @Test
    void statsCountTokensByKindAndTheCacheCanBeReset() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        usage(request(MODEL, text("stats-system", 100), false, text("stats-context", 1000), true, "t"));
        JsonNode stats = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(standIn.baseUrl() + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(stats.path("cacheCreationInputTokens").asLong() >= 1100, stats.toString());
        assertTrue(stats.path("cacheEntries").asLong() >= 1, stats.toString());
        HttpResponse<String> reset = http.send(HttpRequest.newBuilder(URI.create(standIn.baseUrl() + "/cache/reset"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reset.statusCode());
        Usage cold = usage(request(MODEL, text("stats-system", 100), false, text("stats-context", 1000), true, "t"));
        assertEquals(0, read(cold), "the cache was reset: " + cold);
        // invalid-json-once cuts a conversation's first answer only; after a reset, the first answer again
        MessageCreateParams once = MessageCreateParams.builder().model(MODEL).maxTokens(2000)
                .addUserMessage("Formulate exactly 2 theses. dialectica.theses.v1 ```json\n{\"concepts\":[{\"name\":\"C\","
                        + "\"categories\":[{\"name\":\"A\",\"centrality\":0.5},{\"name\":\"B\",\"centrality\":0.4}],"
                        + "\"relations\":[{\"from\":\"A\",\"to\":\"B\",\"type\":\"IMPLIES\"}]}]}\n```")
                .putAdditionalHeader("x-standin-fault", "invalid-json-once").build();
        assertTrue(cut(sdk.messages().create(once)), "the first answer is cut");
        assertTrue(!cut(sdk.messages().create(once)), "a repeat is not");
        http.send(HttpRequest.newBuilder(URI.create(standIn.baseUrl() + "/cache/reset"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(cut(sdk.messages().create(once)), "after the reset it is the first answer again");
    }
}
