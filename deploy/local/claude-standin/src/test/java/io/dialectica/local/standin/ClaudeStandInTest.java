package io.dialectica.local.standin;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.local.standin.StandInConfig.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The stand-in against the official Java SDK (the client claude-worker uses): if the SDK parses its
 * JSON, its SSE stream and its errors, the worker can talk to it as to the real API. Plus the raw wire
 * format, the deterministic answers, the limits, the faults and /stats.
 */
class ClaudeStandInTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> RELATION_TYPES = Set.of("IMPLIES", "PRESUPPOSES", "NEGATES", "CONTRADICTS", "SUBLATES",
            "GROUNDS", "ANALOGOUS_TO", "PART_OF", "OPPOSES", "EXEMPLIFIES");
    static final String SYSTEM = "You are a careful philosopher who works with Dialectica. You answer with one JSON object.";

    static ClaudeStandIn standIn;
    static AnthropicClient sdk;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        standIn = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0, Optional.empty()));
        sdk = client(standIn);
    }

    @AfterAll
    static void stop() {
        sdk.close();
        standIn.close();
    }

    static AnthropicClient client(ClaudeStandIn s) {
        return AnthropicOkHttpClient.builder().baseUrl(s.baseUrl()).apiKey("test-key").maxRetries(0).build();
    }

    // ------------------------------------------------------------------------------------------
    // contexts and prompts shaped like claude-worker's (PromptContext as a fenced json block)

    static ObjectNode hegel() {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", "6f1c").put("name", "Being, Nothing, Becoming").put("tradition", "German Idealism")
                .put("description", "The beginning of Hegel's Science of Logic");
        ArrayNode cats = c.putArray("categories");
        cats.addObject().put("name", "Being").put("description", "Pure being, without any further determination")
                .put("weight", 0.9).put("centrality", 0.31);
        cats.addObject().put("name", "Nothing").put("description", "Pure nothing, complete emptiness")
                .put("weight", 0.9).put("centrality", 0.29);
        cats.addObject().put("name", "Becoming").put("description", "The unity of being and nothing")
                .put("weight", 1.0).put("centrality", 0.40);
        ArrayNode rels = c.putArray("relations");
        rels.addObject().put("from", "Nothing").put("to", "Being").put("type", "NEGATES").put("weight", 0.9)
                .put("rationale", "Nothing is the immediate negation of pure being");
        rels.addObject().put("from", "Becoming").put("to", "Being").put("type", "SUBLATES").put("weight", 1.0)
                .put("rationale", "In becoming, being is a vanishing moment");
        rels.addObject().put("from", "Becoming").put("to", "Nothing").put("type", "SUBLATES").put("weight", 1.0);
        return c;
    }

    static ObjectNode aristotle() {
        ObjectNode c = JSON.createObjectNode();
        c.put("name", "Four causes").put("tradition", "Aristotelianism");
        ArrayNode cats = c.putArray("categories");
        for (String n : List.of("Material cause", "Formal cause", "Efficient cause", "Final cause")) {
            cats.addObject().put("name", n).put("weight", 0.8).put("centrality", n.startsWith("Final") ? 0.4 : 0.2);
        }
        ArrayNode rels = c.putArray("relations");
        rels.addObject().put("from", "Final cause").put("to", "Efficient cause").put("type", "GROUNDS").put("weight", 0.7);
        rels.addObject().put("from", "Formal cause").put("to", "Material cause").put("type", "OPPOSES").put("weight", 0.6);
        return c;
    }

    static ObjectNode context(String schema, Integer count, String mode, ObjectNode... concepts) {
        ObjectNode ctx = JSON.createObjectNode();
        ctx.put("task", schema.contains("theses") ? "theses" : "synthesis").put("outputSchema", schema);
        if (count != null) {
            ctx.put("count", count);
        }
        ctx.put("language", "en");
        if (mode != null) {
            ctx.put("mode", mode);
        }
        ArrayNode arr = ctx.putArray("concepts");
        for (ObjectNode c : concepts) {
            arr.add(c);
        }
        return ctx;
    }

    static String thesesPrompt(int count, ObjectNode ctx) {
        return "Formulate exactly " + count + " theses about the concept \"Being, Nothing, Becoming\", in the language \"en\".\n\n"
                + "Output schema: dialectica.theses.v1\n{\"theses\": [...]}\n\nContext:\n```json\n"
                + ctx.toPrettyString() + "\n```";
    }

    static MessageCreateParams.Builder params(String user) {
        return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(4096).system(SYSTEM).addUserMessage(user);
    }

    static String text(Message m) {
        return m.content().getFirst().text().orElseThrow().text();
    }

    static Set<String> names(ObjectNode... concepts) {
        Set<String> out = new HashSet<>();
        for (ObjectNode c : concepts) {
            c.path("categories").forEach(k -> out.add(k.path("name").asText()));
        }
        return out;
    }

    static void assertValidTheses(String answer, int count, Set<String> categories) throws Exception {
        JsonNode root = JSON.readTree(answer);
        assertEquals(Set.of("theses"), fields(root), answer);
        assertEquals(count, root.path("theses").size(), answer);
        Set<String> texts = new HashSet<>();
        for (JsonNode t : root.path("theses")) {
            assertEquals(Set.of("text", "rationale", "categories"), fields(t));
            assertFalse(t.path("text").asText().isBlank());
            assertFalse(t.path("rationale").asText().isBlank());
            assertTrue(texts.add(t.path("text").asText()), "theses are distinct: " + answer);
            assertFalse(t.path("categories").isEmpty());
            t.path("categories").forEach(c -> assertTrue(categories.contains(c.asText()), c + " is in the context"));
        }
    }

    static Set<String> fields(JsonNode n) {
        Set<String> out = new HashSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // answers through the SDK

    @Test
    void thesesAsMessageJsonParsedBySdkDeterministicWithHeaders() throws Exception {
        String prompt = thesesPrompt(4, context("dialectica.theses.v1", 4, null, hegel()));
        HttpResponseFor<Message> raw = sdk.messages().withRawResponse().create(params(prompt).build());
        assertEquals(200, raw.statusCode());
        assertTrue(raw.headers().values("request-id").getFirst().startsWith("req_"));
        assertEquals(raw.headers().values("request-id").getFirst(), raw.requestId().orElseThrow());
        assertEquals(List.of("true"), raw.headers().values("x-dialectica-stand-in"));
        for (String h : List.of("requests", "tokens", "input-tokens", "output-tokens")) {
            for (String part : List.of("limit", "remaining", "reset")) {
                assertFalse(raw.headers().values("anthropic-ratelimit-" + h + "-" + part).isEmpty(), h + "-" + part);
            }
        }
        Message m = raw.parse();
        assertTrue(m.id().startsWith("msg_"));
        assertEquals("claude-sonnet-4-5", m.model().asString());
        assertEquals(StopReason.END_TURN, m.stopReason().orElseThrow());
        assertTrue(m.usage().inputTokens() > 100, "the prompt is counted: " + m.usage());
        assertEquals((text(m).length() + 3) / 4, m.usage().outputTokens());
        assertValidTheses(text(m), 4, names(hegel()));
        assertTrue(text(m).contains("Becoming sublates Being") || text(m).contains("In Becoming, Being is overcome"),
                "a thesis from the SUBLATES relation: " + text(m));

        Message again = sdk.messages().create(params(prompt).build());
        assertEquals(text(m), text(again), "same prompt, same answer");
        assertNotEquals(m.id(), again.id());
    }

    @Test
    void streamingEventsParsedBySdkCarryTheSameText() throws Exception {
        String prompt = thesesPrompt(3, context("dialectica.theses.v1", 3, null, hegel()));
        String expected = text(sdk.messages().create(params(prompt).build()));
        List<String> kinds = new ArrayList<>();
        StringBuilder streamed = new StringBuilder();
        long[] outputTokens = { -1 };
        StopReason[] stop = { null };
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params(prompt).build())) {
            stream.stream().forEach(e -> {
                if (e.isMessageStart()) {
                    kinds.add("message_start");
                    assertTrue(e.asMessageStart().message().id().startsWith("msg_"));
                    assertTrue(e.asMessageStart().message().content().isEmpty());
                } else if (e.isContentBlockStart()) {
                    kinds.add("content_block_start");
                } else if (e.isContentBlockDelta()) {
                    if (!kinds.getLast().equals("content_block_delta")) {
                        kinds.add("content_block_delta");
                    }
                    streamed.append(e.asContentBlockDelta().delta().text().orElseThrow().text());
                } else if (e.isContentBlockStop()) {
                    kinds.add("content_block_stop");
                } else if (e.isMessageDelta()) {
                    kinds.add("message_delta");
                    outputTokens[0] = e.asMessageDelta().usage().outputTokens();
                    stop[0] = e.asMessageDelta().delta().stopReason().orElseThrow();
                } else if (e.isMessageStop()) {
                    kinds.add("message_stop");
                }
            });
        }
        assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop"), kinds);
        assertEquals(expected, streamed.toString());
        assertEquals((expected.length() + 3) / 4, outputTokens[0]);
        assertEquals(StopReason.END_TURN, stop[0]);
        assertValidTheses(streamed.toString(), 3, names(hegel()));
    }

    @Test
    void sseWireFormatIsAnthropicsEventSequence() throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", "claude-sonnet-4-5").put("max_tokens", 1024).put("stream", true);
        body.putArray("messages").addObject().put("role", "user")
                .put("content", thesesPrompt(2, context("dialectica.theses.v1", 2, null, hegel())));
        HttpResponse<String> r = post(body, Map.of());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertTrue(r.headers().firstValue("request-id").orElseThrow().startsWith("req_"));
        String[] frames = r.body().split("\n\n");
        List<String> events = new ArrayList<>();
        for (String frame : frames) {
            String[] lines = frame.split("\n");
            assertEquals(2, lines.length, "an event line and a data line: " + frame);
            assertTrue(lines[0].startsWith("event: ") && lines[1].startsWith("data: "), frame);
            String event = lines[0].substring("event: ".length());
            assertEquals(event, JSON.readTree(lines[1].substring("data: ".length())).path("type").asText());
            events.add(event);
        }
        assertTrue(r.body().endsWith("\n\n"));
        int deltas = (int) events.stream().filter("content_block_delta"::equals).count();
        assertTrue(deltas >= 3, "the answer comes in several deltas: " + deltas);
        List<String> expected = new ArrayList<>(List.of("message_start", "content_block_start", "ping"));
        for (int i = 0; i < deltas; i++) {
            expected.add("content_block_delta");
        }
        expected.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
        assertEquals(expected, events);
    }

    @Test
    void synthesisMergesTheSourcesIntoAValidProposal() throws Exception {
        for (String mode : List.of("dialectical", "comparative", "integrative")) {
            ObjectNode ctx = context("dialectica.synthesis.v1", null, mode, hegel(), aristotle());
            String prompt = "Propose a " + mode + " synthesis of the concepts \"Being, Nothing, Becoming\", \"Four causes\".\n"
                    + "Output schema: dialectica.synthesis.v1\n```json\n" + ctx + "\n```";
            String answer = text(sdk.messages().create(params(prompt).build()));
            JsonNode root = JSON.readTree(answer);
            assertEquals(Set.of("name", "description", "tradition", "categories", "relations"), fields(root), answer);
            assertFalse(root.path("name").asText().isBlank());
            assertTrue(root.path("description").asText().contains(mode), answer);
            Set<String> cats = new HashSet<>();
            for (JsonNode c : root.path("categories")) {
                assertEquals(Set.of("name", "description", "weight"), fields(c));
                assertTrue(cats.add(c.path("name").asText().toLowerCase(Locale.ROOT)), "distinct: " + answer);
                double w = c.path("weight").asDouble(-1);
                assertTrue(w >= 0 && w <= 1);
            }
            assertTrue(cats.size() >= 2 && cats.size() <= 30);
            assertTrue(cats.contains("becoming") && cats.contains("final cause"), "both sources' central categories: " + cats);
            assertFalse(root.path("relations").isEmpty());
            boolean crossesSources = false;
            for (JsonNode r : root.path("relations")) {
                assertEquals(Set.of("from", "to", "type", "weight", "rationale"), fields(r));
                String from = r.path("from").asText().toLowerCase(Locale.ROOT);
                String to = r.path("to").asText().toLowerCase(Locale.ROOT);
                assertTrue(cats.contains(from) && cats.contains(to), "relation between proposal categories: " + r);
                assertNotEquals(from, to);
                assertTrue(RELATION_TYPES.contains(r.path("type").asText()), r.toString());
                assertFalse(r.path("rationale").asText().isBlank());
                crossesSources |= Set.of(from, to).containsAll(Set.of("becoming", "final cause"));
            }
            assertTrue(crossesSources, "a relation joins the two sources: " + answer);
        }
    }

    @Test
    void countComesFromThePhraseOrFromTheJsonBlock() throws Exception {
        // only "count" in the JSON block
        ObjectNode ctx = context("dialectica.theses.v1", 5, null, hegel());
        String onlyJson = "Theses please.\n```json\n" + ctx + "\n```";
        assertValidTheses(text(sdk.messages().create(params(onlyJson).build())), 5, names(hegel()));
        // only the phrase (and the schema named in the text)
        ObjectNode noCount = context("dialectica.theses.v1", null, null, hegel());
        noCount.remove("outputSchema");
        String onlyPhrase = "Write 2 theses. Output schema: dialectica.theses.v1\n```json\n" + noCount + "\n```";
        assertValidTheses(text(sdk.messages().create(params(onlyPhrase).build())), 2, names(hegel()));
        // more theses than the graph has relations and categories: still exactly that many, all distinct
        ObjectNode many = context("dialectica.theses.v1", 12, null, hegel());
        assertValidTheses(text(sdk.messages().create(params(thesesPrompt(12, many)).build())), 12, names(hegel()));
    }

    @Test
    void repairRoundTripGetsAValidAnswer() throws Exception {
        ObjectNode ctx = context("dialectica.theses.v1", 3, null, hegel());
        String first = thesesPrompt(3, ctx);
        String original = text(sdk.messages().create(params(first).build()));
        String repair = "Your previous answer does not match the output schema dialectica.theses.v1:\n"
                + "- $.theses: must have exactly 3 elements, has 2\n\nAnswer again with the corrected JSON object only, "
                + "following the same schema dialectica.theses.v1 and the same context:\n```json\n" + ctx + "\n```";
        Message repaired = sdk.messages().create(params(first).addAssistantMessage("{\"theses\": [").addUserMessage(repair).build());
        assertValidTheses(text(repaired), 3, names(hegel()));
        assertEquals(original, text(repaired), "the repair answers from the same context");
    }

    @Test
    void workersOwnPromptTemplatesAreUnderstood() throws Exception {
        Path dir = Path.of("../../../claude-worker/src/main/resources/prompts");
        assumeTrue(Files.isDirectory(dir), "claude-worker's prompt templates are in this checkout");
        for (String version : List.of("theses.v2", "synthesis.v2")) {
            Path file = dir.resolve(version + ".txt");
            assumeTrue(Files.exists(file));
            String template = Files.readString(file);
            boolean theses = version.startsWith("theses");
            // the worker's context holds the graph only; count, language and mode are in the task block after it
            ObjectNode ctx = JSON.createObjectNode();
            ArrayNode concepts = ctx.putArray("concepts");
            concepts.add(hegel());
            if (!theses) {
                concepts.add(aristotle());
            }
            Map<String, String> values = Map.of("{{count}}", "4", "{{conceptName}}", "Being, Nothing, Becoming",
                    "{{conceptNames}}", "\"Being, Nothing, Becoming\", \"Four causes\"", "{{language}}", "en",
                    "{{mode}}", "comparative", "{{modeHint}}", "what they share and where they differ",
                    "{{schema}}", theses ? "dialectica.theses.v1" : "dialectica.synthesis.v1", "{{context}}", ctx.toString());
            String system = template.substring(template.indexOf("[system]") + 8, template.indexOf("[context]"));
            String context = template.substring(template.indexOf("[context]") + 9, template.indexOf("[task]"));
            String task = template.substring(template.indexOf("[task]") + 6);
            for (Map.Entry<String, String> e : values.entrySet()) {
                system = system.replace(e.getKey(), e.getValue());
                context = context.replace(e.getKey(), e.getValue());
                task = task.replace(e.getKey(), e.getValue());
            }
            MessageCreateParams request = MessageCreateParams.builder().model("m").maxTokens(8192).system(system.strip())
                    .addUserMessageOfBlockParams(List.of(
                            ContentBlockParam.ofText(TextBlockParam.builder().text(context.strip()).build()),
                            ContentBlockParam.ofText(TextBlockParam.builder().text(task.strip()).build())))
                    .build();
            String answer = text(sdk.messages().create(request));
            if (theses) {
                assertValidTheses(answer, 4, names(hegel()));
            } else {
                JsonNode synthesis = JSON.readTree(answer);
                assertTrue(synthesis.path("categories").size() >= 2, answer);
                assertTrue(answer.contains("Common measure"), "the mode is read from the task: " + answer);
            }
        }
    }

    @Test
    void maxTokensCutsTheAnswer() {
        String prompt = thesesPrompt(3, context("dialectica.theses.v1", 3, null, hegel()));
        Message m = sdk.messages().create(MessageCreateParams.builder().model("m").maxTokens(20).addUserMessage(prompt).build());
        assertEquals(StopReason.MAX_TOKENS, m.stopReason().orElseThrow());
        assertEquals(20, m.usage().outputTokens());
        assertEquals(80, text(m).length());
    }

    @Test
    void plainPromptGetsAPlainReply() {
        Message m = sdk.messages().create(MessageCreateParams.builder().model("m").maxTokens(500).addUserMessage("Hello").build());
        assertTrue(text(m).startsWith("This is the Dialectica stand-in"), text(m));
    }

    // ------------------------------------------------------------------------------------------
    // errors

    @Test
    void requestErrorsHaveAnthropicsShape() throws Exception {
        ObjectNode ok = JSON.createObjectNode().put("model", "m").put("max_tokens", 10);
        ok.putArray("messages").addObject().put("role", "user").put("content", "Hi");

        assertError(post(ok, Map.of("x-api-key", "")), 401, "authentication_error", "x-api-key");
        assertError(post(ok, Map.of("anthropic-version", "")), 400, "invalid_request_error", "anthropic-version");
        ObjectNode noMax = ok.deepCopy();
        noMax.remove("max_tokens");
        assertError(post(noMax, Map.of()), 400, "invalid_request_error", "max_tokens: Field required");
        ObjectNode noModel = ok.deepCopy();
        noModel.remove("model");
        assertError(post(noModel, Map.of()), 400, "invalid_request_error", "model: Field required");
        ObjectNode badRole = ok.deepCopy();
        ((ObjectNode) badRole.path("messages").get(0)).put("role", "system");
        assertError(post(badRole, Map.of()), 400, "invalid_request_error", "messages.0.role");
        assertError(send("POST", "/v1/messages", "{not json", Map.of()), 400, "invalid_request_error", "format");
        assertError(send("POST", "/v1/complete", ok.toString(), Map.of()), 404, "not_found_error", "Not found");
        assertError(send("GET", "/v1/messages", null, Map.of()), 405, "invalid_request_error", "POST");
        assertError(post(ok, Map.of("x-standin-fault", "bogus")), 400, "invalid_request_error", "unknown fault");

        BadRequestException e = assertThrows(BadRequestException.class, () -> sdk.messages()
                .create(MessageCreateParams.builder().model("m").maxTokens(10).messages(List.of()).build()));
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("at least one message"), e.getMessage());
    }

    static void assertError(HttpResponse<String> r, int status, String type, String messagePart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("error", body.path("type").asText());
        assertEquals(type, body.path("error").path("type").asText());
        assertTrue(body.path("error").path("message").asText().contains(messagePart), r.body());
        assertEquals(r.headers().firstValue("request-id").orElseThrow(), body.path("request_id").asText());
        assertTrue(body.path("request_id").asText().startsWith("req_"));
        assertEquals("true", r.headers().firstValue("x-dialectica-stand-in").orElseThrow());
    }

    @Test
    void ownRateLimitAnswers429WithRetryAfter() throws Exception {
        try (ClaudeStandIn limited = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 0, 0, 2, 0, Optional.empty()));
                SdkClient sdkClient = new SdkClient(client(limited))) {
            AnthropicClient client = sdkClient.client();
            MessageCreateParams p = MessageCreateParams.builder().model("m").maxTokens(50).addUserMessage("Hi").build();
            HttpResponseFor<Message> first = client.messages().withRawResponse().create(p);
            assertEquals(List.of("2"), first.headers().values("anthropic-ratelimit-requests-limit"));
            assertEquals(List.of("1"), first.headers().values("anthropic-ratelimit-requests-remaining"));
            client.messages().create(p);
            RateLimitException e = assertThrows(RateLimitException.class, () -> client.messages().create(p));
            assertEquals(429, e.statusCode());
            long retryAfter = Long.parseLong(e.headers().values("retry-after").getFirst());
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "retry-after " + retryAfter);
            assertEquals(List.of("0"), e.headers().values("anthropic-ratelimit-requests-remaining"));
            assertTrue(e.getMessage().contains("rate_limit_error"), e.getMessage());
            JsonNode stats = stats(limited);
            assertEquals(3, stats.path("total").asLong());
            assertEquals(2, stats.path("byStatus").path("200").asLong());
            assertEquals(1, stats.path("byStatus").path("429").asLong());
        }
    }

    @Test
    void injectedFaults() throws Exception {
        String prompt = thesesPrompt(3, context("dialectica.theses.v1", 3, null, hegel()));

        AnthropicServiceException overloaded = assertThrows(AnthropicServiceException.class, () -> sdk.messages()
                .create(params(prompt).putAdditionalHeader("x-standin-fault", "overloaded").build()));
        assertEquals(529, overloaded.statusCode());
        assertTrue(overloaded.getMessage().contains("overloaded_error"), overloaded.getMessage());

        RateLimitException limited = assertThrows(RateLimitException.class, () -> sdk.messages()
                .create(params(prompt).putAdditionalHeader("x-standin-fault", "rate-limit").build()));
        assertEquals(List.of("1"), limited.headers().values("retry-after"));

        // an error event after a 200 and a few deltas
        StringBuilder before = new StringBuilder();
        Exception broken = assertThrows(Exception.class, () -> {
            try (StreamResponse<RawMessageStreamEvent> s = sdk.messages()
                    .createStreaming(params(prompt).putAdditionalHeader("x-standin-fault", "stream-error").build())) {
                s.stream().forEach(e -> e.contentBlockDelta().ifPresent(d -> before.append(d.delta().text().orElseThrow().text())));
            }
        });
        assertTrue(broken.getMessage().contains("overloaded_error"), broken.toString());
        assertFalse(before.isEmpty(), "some text came before the error");

        // invalid JSON once per conversation, then valid (a fresh context: this conversation is new)
        ObjectNode ctx = context("dialectica.theses.v1", 2, null, aristotle());
        String once = "Formulate exactly 2 theses.\n```json\n" + ctx + "\n```";
        MessageCreateParams p = params(once).putAdditionalHeader("x-standin-fault", "invalid-json-once").build();
        String bad = text(sdk.messages().create(p));
        assertThrows(Exception.class, () -> JSON.readTree(bad));
        assertValidTheses(text(sdk.messages().create(p)), 2, names(aristotle()));
        String alwaysBad = text(sdk.messages().create(params(once).putAdditionalHeader("x-standin-fault", "invalid-json").build()));
        assertThrows(Exception.class, () -> JSON.readTree(alwaysBad));
    }

    @Test
    void faultFromConfigurationAppliesToEveryRequest() throws Exception {
        try (ClaudeStandIn faulty = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0, Optional.of(Fault.SERVER_ERROR)));
                SdkClient sdkClient = new SdkClient(client(faulty))) {
            AnthropicClient client = sdkClient.client();
            AnthropicServiceException e = assertThrows(AnthropicServiceException.class, () -> client.messages()
                    .create(MessageCreateParams.builder().model("m").maxTokens(5).addUserMessage("Hi").build()));
            assertEquals(500, e.statusCode());
        }
    }

    @Test
    void aConfiguredFaultHitsItsShareOfTheConversationsAlwaysTheSameOnes() throws Exception {
        StandInConfig half = new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0, Optional.empty())
                .withFault(Fault.INVALID_JSON_ONCE, 0.5);
        List<Boolean> first = new ArrayList<>();
        List<Boolean> second = new ArrayList<>();
        for (List<Boolean> out : List.of(first, second)) {
            try (ClaudeStandIn s = ClaudeStandIn.start(half); SdkClient c = new SdkClient(client(s))) {
                for (int i = 0; i < 40; i++) {
                    String prompt = thesesPrompt(3, context("dialectica.theses.v1", 3, null, hegel())) + "\nRun " + i + ".";
                    String answer = text(c.client().messages().create(params(prompt).build()));
                    boolean cut;
                    try {
                        JSON.readTree(answer);
                        cut = false;
                    } catch (Exception e) {
                        cut = true;
                    }
                    out.add(cut);
                }
            }
        }
        long cut = first.stream().filter(b -> b).count();
        assertTrue(cut >= 8 && cut <= 32, "about half of 40 conversations are hit: " + cut);
        assertEquals(first, second, "the same conversations, run after run");
    }

    // ------------------------------------------------------------------------------------------
    // latency, pace, stats

    @Test
    void latencyBeforeTheFirstByteAndStreamingPace() throws Exception {
        // lower bounds only: a loaded machine can make it slower, never faster
        try (ClaudeStandIn paced = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 300, 400, 0, 0, Optional.empty()))) {
            ObjectNode body = JSON.createObjectNode().put("model", "m").put("max_tokens", 4096).put("stream", true);
            body.putArray("messages").addObject().put("role", "user")
                    .put("content", thesesPrompt(3, context("dialectica.theses.v1", 3, null, hegel())));
            long t0 = System.nanoTime();
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(paced.baseUrl() + "/v1/messages"))
                    .header("x-api-key", "k").header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofInputStream());
            long headersMs = (System.nanoTime() - t0) / 1_000_000;
            String sse;
            try (var in = r.body()) {
                sse = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            long totalMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(headersMs >= 300, "first byte after the latency: " + headersMs + " ms");
            long tokens = JSON.readTree(sse.substring(sse.indexOf("data: {\"type\":\"message_delta\"") + 6).lines().findFirst()
                    .orElseThrow()).path("usage").path("output_tokens").asLong();
            long minStreamMs = (tokens * 1000 / 400) - 150;
            assertTrue(totalMs - headersMs >= minStreamMs, "streamed at <= 400 tokens/s: " + tokens + " tokens in "
                    + (totalMs - headersMs) + " ms");
        }
    }

    @Test
    void statsCountRequestsPerSecondAndReset() throws Exception {
        try (ClaudeStandIn s = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0, Optional.empty()));
                SdkClient sdkClient = new SdkClient(client(s))) {
            AnthropicClient client = sdkClient.client();
            for (int i = 0; i < 5; i++) {
                client.messages().create(MessageCreateParams.builder().model("m").maxTokens(5).addUserMessage("Hi " + i).build());
            }
            JsonNode stats = stats(s);
            assertEquals(5, stats.path("total").asLong());
            long sum = 0;
            for (JsonNode v : stats.path("perSecond")) {
                sum += v.asLong();
            }
            assertEquals(5, sum);
            stats.path("perSecond").fieldNames().forEachRemaining(k -> assertTrue(Math.abs(Long.parseLong(k)
                    - System.currentTimeMillis() / 1000) < 120, "epoch seconds: " + k));
            assertEquals(5, stats.path("max60s").asLong());
            assertTrue(stats.path("maxPerSecond").asLong() >= 1);
            assertEquals(25, stats.path("outputTokens").asLong());

            HttpResponse<String> reset = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/stats/reset"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, reset.statusCode());
            JsonNode after = stats(s);
            assertEquals(0, after.path("total").asLong());
            assertTrue(after.path("perSecond").isEmpty());
        }
    }

    // ------------------------------------------------------------------------------------------

    /** The SDK client is Kotlin-closeable, not AutoCloseable. */
    record SdkClient(AnthropicClient client) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    static JsonNode stats(ClaudeStandIn s) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> post(JsonNode body, Map<String, String> headers) throws Exception {
        return send("POST", "/v1/messages", body.toString(), headers);
    }

    static HttpResponse<String> send(String method, String path, String body, Map<String, String> overrides) throws Exception {
        Map<String, String> headers = new java.util.HashMap<>(Map.of("x-api-key", "test-key", "anthropic-version", "2023-06-01",
                "content-type", "application/json"));
        headers.putAll(overrides);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(standIn.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach((k, v) -> {
            if (!v.isEmpty()) {
                b.header(k, v);
            }
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
