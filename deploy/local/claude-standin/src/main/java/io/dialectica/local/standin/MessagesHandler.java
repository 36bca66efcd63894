package io.dialectica.local.standin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.dialectica.local.standin.StandInConfig.Fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /v1/messages}: the checks, errors, headers and the two response forms (a {@code Message}
 * JSON, or the SSE event sequence {@code message_start}, {@code content_block_start}, {@code ping},
 * {@code content_block_delta}..., {@code content_block_stop}, {@code message_delta}, {@code message_stop})
 * of the Claude Messages API, with prompt caching ({@code cache_control} breakpoints, {@link PromptCache})
 * and its usage fields; {@code POST /v1/messages/count_tokens} counts a request's input tokens.
 */
final class MessagesHandler {

    static final String STAND_IN_HEADER = "x-dialectica-stand-in";
    static final String FAULT_HEADER = "x-standin-fault";
    private static final int MAX_BODY = 32 * 1024 * 1024;
    /** What the headers report as the limit when the stand-in does not enforce one. */
    private static final int NOMINAL_REQUESTS_PER_MINUTE = 4_000;
    private static final int NOMINAL_INPUT_TOKENS_PER_MINUTE = 2_000_000;
    private static final int NOMINAL_OUTPUT_TOKENS_PER_MINUTE = 400_000;
    private static final long DELTA_INTERVAL_MS = 100;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StandInConfig config;
    private final RequestStats stats;
    private final ObjectMapper mapper;
    private final Answers answers;
    private final SlidingWindow requests;
    private final SlidingWindow inputTokens;
    private final SlidingWindow outputTokens;
    private final PromptCache cache;
    /** conversations already answered once (for {@code invalid-json-once}) */
    private final Set<String> answeredOnce = ConcurrentHashMap.newKeySet();

    MessagesHandler(StandInConfig config, RequestStats stats, ObjectMapper mapper) {
        this.config = config;
        this.stats = stats;
        this.mapper = mapper;
        this.answers = new Answers(mapper);
        this.requests = new SlidingWindow(config.requestsPerMinute() > 0 ? config.requestsPerMinute() : NOMINAL_REQUESTS_PER_MINUTE);
        this.inputTokens = new SlidingWindow(NOMINAL_INPUT_TOKENS_PER_MINUTE);
        this.outputTokens = new SlidingWindow(config.outputTokensPerMinute() > 0 ? config.outputTokensPerMinute()
                : NOMINAL_OUTPUT_TOKENS_PER_MINUTE);
        this.cache = new PromptCache(config.cacheLifetimeSeconds() * 1000, config.cacheMinTokens());
    }

    /**
     * Forgets every cached prompt prefix and every conversation {@code invalid-json-once} has answered
     * ({@code POST /cache/reset}: a benchmark's run starts cold and repairs the same conversations again).
     */
    void clearCache() {
        cache.clear();
        answeredOnce.clear();
    }

    int cacheEntries() {
        return cache.size();
    }

    /** An error answer: HTTP status, Anthropic error type and message, optional retry-after seconds. */
    static final class ApiError extends Exception {
        final int status;
        final String type;
        final long retryAfterSeconds;

        ApiError(int status, String type, String message) {
            this(status, type, message, -1);
        }

        ApiError(int status, String type, String message, long retryAfterSeconds) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    void notFound(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestId = id("req_");
            sendError(exchange, requestId, new ApiError(404, "not_found_error", "Not found"));
        }
    }

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long started = System.nanoTime();
            String requestId = id("req_");
            String path = exchange.getRequestURI().getPath();
            boolean count = path.equals("/v1/messages/count_tokens");
            if (!path.equals("/v1/messages") && !count) {
                sendError(exchange, requestId, new ApiError(404, "not_found_error", "Not found"));
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("allow", "POST");
                sendError(exchange, requestId, new ApiError(405, "invalid_request_error",
                        "Method " + exchange.getRequestMethod() + " not allowed: use POST " + path));
                return;
            }
            if (count) {
                countTokens(exchange, requestId, started);
                return;
            }
            stats.received(System.currentTimeMillis());
            Outcome outcome;
            try {
                outcome = respond(exchange, requestId);
            } catch (ApiError e) {
                sendError(exchange, requestId, e);
                outcome = new Outcome(e.status, null, 0, false, null, e.type);
            }
            stats.answered(outcome.status(), System.currentTimeMillis(), outcome.outputTokens(), outcome.usage());
            PromptCache.Usage u = outcome.usage();
            ClaudeStandIn.log("POST /v1/messages " + outcome.status() + " " + requestId
                    + (outcome.stream() ? " stream" : "") + (outcome.schema() != null ? " " + outcome.schema() : "")
                    + (outcome.note() != null ? " " + outcome.note() : "")
                    + " in=" + (u == null ? 0 : u.inputTokens())
                    + (u != null && u.cacheCreationInputTokens() > 0 ? " cache_write=" + u.cacheCreationInputTokens() : "")
                    + (u != null && u.cacheReadInputTokens() > 0 ? " cache_read=" + u.cacheReadInputTokens() : "")
                    + " out=" + outcome.outputTokens() + " "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    private record Outcome(int status, PromptCache.Usage usage, long outputTokens, boolean stream, String schema,
            String note) {
    }

    /**
     * {@code POST /v1/messages/count_tokens}: the request's input tokens ({@code {"input_tokens": n}}), counted as
     * a Messages request would be (cached or not); {@code max_tokens} is not required. Free: no rate limit,
     * no latency, not in the Messages statistics.
     */
    private void countTokens(HttpExchange exchange, String requestId, long started) throws IOException {
        int status = 200;
        long tokens = 0;
        try {
            checkHeaders(exchange.getRequestHeaders());
            Request request = validate(readBody(exchange), false);
            tokens = request.inputTokens();
            addCommonHeaders(exchange.getResponseHeaders(), requestId, System.currentTimeMillis());
            Responses.send(exchange, 200, "application/json",
                    mapper.writeValueAsBytes(mapper.createObjectNode().put("input_tokens", tokens)));
        } catch (ApiError e) {
            status = e.status;
            sendError(exchange, requestId, e);
        }
        stats.counted();
        ClaudeStandIn.log("POST /v1/messages/count_tokens " + status + " " + requestId + " input_tokens=" + tokens + " "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    static void checkHeaders(Headers h) throws ApiError {
        String key = h.getFirst("x-api-key");
        if (key == null || key.isBlank()) {
            throw new ApiError(401, "authentication_error", "x-api-key header is required");
        }
        String version = h.getFirst("anthropic-version");
        if (version == null || version.isBlank()) {
            throw new ApiError(400, "invalid_request_error", "anthropic-version: header is required");
        }
    }

    private Outcome respond(HttpExchange exchange, String requestId) throws ApiError, IOException {
        Headers h = exchange.getRequestHeaders();
        checkHeaders(h);
        Optional<Fault> fault;
        try {
            fault = Optional.ofNullable(h.getFirst(FAULT_HEADER)).filter(s -> !s.isBlank()).map(Fault::parse)
                    .or(config::fault);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "invalid_request_error", FAULT_HEADER + ": " + e.getMessage());
        }
        JsonNode body = readBody(exchange);
        Request request = validate(body, true);
        if (fault.isPresent() && h.getFirst(FAULT_HEADER) == null && !inFaultShare(request)) {
            fault = Optional.empty(); // the configured fault hits only standin.fault-share of the conversations
        }

        if (fault.isPresent()) {
            switch (fault.get()) {
                case OVERLOADED -> throw new ApiError(529, "overloaded_error", "Overloaded");
                case RATE_LIMIT -> throw new ApiError(429, "rate_limit_error",
                        "This request would exceed your organization's rate limit (injected fault). Please try again later.", 1);
                case SERVER_ERROR -> throw new ApiError(500, "api_error", "Internal server error");
                default -> {
                }
            }
        }
        long now = System.currentTimeMillis();
        if (config.requestsPerMinute() > 0 && !requests.tryAcquire(1, now)) {
            throw new ApiError(429, "rate_limit_error", "This request would exceed the rate limit for your organization of "
                    + config.requestsPerMinute() + " requests per minute. For details, refer to: "
                    + "https://docs.claude.com/en/api/rate-limits.", seconds(requests.waitMs(1, now)));
        }
        if (config.outputTokensPerMinute() > 0 && outputTokens.remaining(now) <= 0) {
            throw new ApiError(429, "rate_limit_error", "This request would exceed the rate limit for your organization of "
                    + config.outputTokensPerMinute() + " output tokens per minute. For details, refer to: "
                    + "https://docs.claude.com/en/api/rate-limits.", seconds(outputTokens.waitMs(1, now)));
        }
        if (config.requestsPerMinute() == 0) {
            requests.record(1, now);
        }

        Generated g = generate(request, fault, now);
        String note = g.note();
        PromptCache.Usage usage = g.message().usage();
        long out = g.message().outputTokens();

        sleep(config.latencyMs());
        Message message = g.message();
        addCommonHeaders(exchange.getResponseHeaders(), requestId, now);
        if (request.stream()) {
            boolean broken = fault.isPresent() && fault.get() == Fault.STREAM_ERROR;
            stream(exchange, message, broken);
            if (broken) {
                note = "fault=stream-error";
            }
        } else {
            sleep(generationMs(out));
            Responses.send(exchange, 200, "application/json", mapper.writeValueAsBytes(message.json(mapper, true)));
        }
        outputTokens.record(out, System.currentTimeMillis());
        return new Outcome(200, usage, out, request.stream(), g.schema(), note);
    }

    /** A generated answer: the message, the schema it follows, a note for the log (a fault applied). */
    record Generated(Message message, String schema, String note) {
    }

    /**
     * The answer to a checked request, without any HTTP: the deterministic text (cut by an {@code invalid-json}
     * fault or at {@code max_tokens}) and its usage after the prompt cache read and wrote what the request marks.
     * Also used for the requests of a Message Batch ({@link BatchesHandler}).
     */
    Generated generate(Request request, Optional<Fault> fault, long now) {
        Answers.Answer answer = answers.answer(request.system(), request.turns());
        String text = answer.text();
        String note = null;
        boolean first = answeredOnce.add(answer.conversationKey());
        if (fault.isPresent() && (fault.get() == Fault.INVALID_JSON || fault.get() == Fault.INVALID_JSON_ONCE && first)) {
            text = text.substring(0, Math.max(1, text.length() * 3 / 5)); // cut off mid-object
            note = "fault=" + fault.get().header();
        }
        String stopReason = "end_turn";
        if (tokens(text) > request.maxTokens()) {
            text = cut(text, request.maxTokens() * 4);
            stopReason = "max_tokens";
        }
        // the prompt cache: what this request reads and writes (the stand-in writes before it answers)
        PromptCache.Usage usage = cache.apply(request.model(), request.blocks(), now);
        inputTokens.record(usage.total(), now);
        return new Generated(new Message(id("msg_"), request.model(), text, stopReason, usage, tokens(text)),
                answer.schema(), note);
    }

    /** The configured fault for a request that names none, when its conversation is in the fault's share. */
    Optional<Fault> configuredFault(Request request) {
        return config.fault().filter(f -> inFaultShare(request));
    }

    // ------------------------------------------------------------------------------------------
    // request

    /**
     * A checked request; {@code blocks} are its system and message content blocks in render order, each with
     * its tokens and its {@code cache_control} TTL (the prompt cache's view).
     */
    record Request(String model, int maxTokens, boolean stream, String system, List<Answers.Turn> turns,
            List<PromptCache.Block> blocks) {
        long inputTokens() {
            return Math.max(1, blocks.stream().mapToLong(PromptCache.Block::tokens).sum());
        }
    }

    /**
     * The stand-in's own request limit for a request to another endpoint (the batches endpoints count as requests,
     * as the API's rate limits count every HTTP request to them).
     */
    void admit(long now) throws ApiError {
        if (config.requestsPerMinute() > 0 && !requests.tryAcquire(1, now)) {
            throw new ApiError(429, "rate_limit_error", "This request would exceed the rate limit for your organization of "
                    + config.requestsPerMinute() + " requests per minute. For details, refer to: "
                    + "https://docs.claude.com/en/api/rate-limits.", seconds(requests.waitMs(1, now)));
        }
        if (config.requestsPerMinute() == 0) {
            requests.record(1, now);
        }
    }

    JsonNode readBody(HttpExchange exchange) throws ApiError, IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiError(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.");
        }
        try {
            JsonNode n = mapper.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiError(400, "invalid_request_error", "There was an issue with the format of your request: "
                        + "the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid_request_error", "There was an issue with the format of your request: "
                    + e.getOriginalMessage());
        }
    }

    static Request validate(JsonNode body, boolean messagesRequest) throws ApiError {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw invalid("model: Field required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw invalid("model: Input should be a valid string");
        }
        JsonNode maxTokens = body.get("max_tokens");
        if (messagesRequest || maxTokens != null) {
            if (maxTokens == null || maxTokens.isNull()) {
                throw invalid("max_tokens: Field required");
            }
            if (!maxTokens.canConvertToInt() || !maxTokens.isIntegralNumber()) {
                throw invalid("max_tokens: Input should be a valid integer");
            }
            if (maxTokens.asInt() < 1) {
                throw invalid("max_tokens: Input should be greater than or equal to 1");
            }
        }
        List<PromptCache.Block> blocks = new ArrayList<>();
        JsonNode system = body.get("system");
        String systemText = system == null || system.isNull() ? null : content(system, "system", "system", blocks);
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw invalid("messages: Field required");
        }
        if (!messages.isArray()) {
            throw invalid("messages: Input should be a valid list");
        }
        if (messages.isEmpty()) {
            throw invalid("messages: at least one message is required");
        }
        List<Answers.Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String p = "messages." + i;
            if (!m.isObject()) {
                throw invalid(p + ": Input should be a valid dictionary");
            }
            String role = m.path("role").asText("");
            if (!role.equals("user") && !role.equals("assistant")) {
                throw invalid(p + ".role: Input should be 'user' or 'assistant'");
            }
            turns.add(new Answers.Turn(role, content(m.get("content"), p + ".content", role, blocks)));
        }
        if (!turns.getFirst().role().equals("user")) {
            throw invalid("messages: first message must use the \"user\" role");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw invalid("stream: Input should be a valid boolean");
        }
        long breakpoints = blocks.stream().filter(b -> b.ttl() != null).count();
        if (breakpoints > PromptCache.MAX_BREAKPOINTS) {
            throw invalid("A maximum of " + PromptCache.MAX_BREAKPOINTS + " blocks with cache_control may be provided. Found "
                    + breakpoints + ".");
        }
        boolean shortSeen = false;
        for (PromptCache.Block b : blocks) {
            if ("5m".equals(b.ttl())) {
                shortSeen = true;
            } else if ("1h".equals(b.ttl()) && shortSeen) {
                throw invalid("a cache_control entry with ttl='1h' must not come after one with ttl='5m'");
            }
        }
        return new Request(model.asText(), maxTokens == null ? 0 : maxTokens.asInt(),
                stream != null && stream.asBoolean(false), systemText, turns, List.copyOf(blocks));
    }

    /**
     * A string, or an array of content blocks whose text blocks are joined; every block is added to
     * {@code blocks} (a string as one text block) with its tokens and its checked {@code cache_control}.
     */
    private static String content(JsonNode content, String path, String role, List<PromptCache.Block> blocks)
            throws ApiError {
        if (content == null || content.isNull()) {
            throw invalid(path + ": Field required");
        }
        if (content.isTextual()) {
            ObjectNode block = JSON.createObjectNode().put("type", "text").put("text", content.asText());
            blocks.add(new PromptCache.Block(role + "\u0001" + block, tokens(content.asText()), null));
            return content.asText();
        }
        if (!content.isArray()) {
            throw invalid(path + ": Input should be a valid string or a list of content blocks");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            if (!block.isObject() || !block.path("type").isTextual()) {
                throw invalid(path + "." + i + ".type: Field required");
            }
            String ttl = cacheControl(block.get("cache_control"), path + "." + i + ".cache_control");
            ObjectNode canonical = ((ObjectNode) block).deepCopy();
            canonical.remove("cache_control");
            long tokens;
            if (block.path("type").asText().equals("text")) {
                if (!block.path("text").isTextual()) {
                    throw invalid(path + "." + i + ".text: Field required");
                }
                if (!b.isEmpty()) {
                    b.append('\n');
                }
                b.append(block.path("text").asText());
                tokens = tokens(block.path("text").asText());
            } else {
                tokens = tokens(canonical.toString());
            }
            blocks.add(new PromptCache.Block(role + "\u0001" + canonical, tokens, ttl));
        }
        return b.toString();
    }

    /** null without {@code cache_control}; else its TTL ("5m" when not given). */
    private static String cacheControl(JsonNode cc, String path) throws ApiError {
        if (cc == null || cc.isNull()) {
            return null;
        }
        if (!cc.isObject()) {
            throw invalid(path + ": Input should be a valid dictionary");
        }
        if (!"ephemeral".equals(cc.path("type").asText(null))) {
            throw invalid(path + ".type: Input should be 'ephemeral'");
        }
        JsonNode ttl = cc.get("ttl");
        if (ttl == null || ttl.isNull()) {
            return "5m";
        }
        if (!ttl.isTextual() || !(ttl.asText().equals("5m") || ttl.asText().equals("1h"))) {
            throw invalid(path + ".ttl: Input should be '5m' or '1h'");
        }
        return ttl.asText();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Whether a conversation is among the {@code standin.fault-share} that the configured fault hits: decided by
     * a hash of its system prompt and first user message, so the same conversation is always in or out (a
     * benchmark's plain and cached runs repair the same jobs).
     */
    private boolean inFaultShare(Request request) {
        if (config.faultShare() >= 1.0) {
            return true;
        }
        String first = request.turns().isEmpty() ? "" : request.turns().getFirst().text();
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((request.system() + "\u0000" + first).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long h = java.nio.ByteBuffer.wrap(d).getLong();
            return Math.floorMod(h, 10_000) < config.faultShare() * 10_000;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ApiError invalid(String message) {
        return new ApiError(400, "invalid_request_error", message);
    }

    // ------------------------------------------------------------------------------------------
    // response

    record Message(String id, String model, String text, String stopReason, PromptCache.Usage usage,
            long outputTokens) {

        void putUsage(ObjectNode usage, long output) {
            usage.put("input_tokens", this.usage.inputTokens());
            usage.put("cache_creation_input_tokens", this.usage.cacheCreationInputTokens());
            usage.put("cache_read_input_tokens", this.usage.cacheReadInputTokens());
            usage.putObject("cache_creation").put("ephemeral_5m_input_tokens", this.usage.creation5m())
                    .put("ephemeral_1h_input_tokens", this.usage.creation1h());
            usage.put("output_tokens", output);
        }

        ObjectNode json(ObjectMapper mapper, boolean complete) {
            ObjectNode m = mapper.createObjectNode();
            m.put("id", id);
            m.put("type", "message");
            m.put("role", "assistant");
            m.put("model", model);
            var content = m.putArray("content");
            if (complete) {
                content.addObject().put("type", "text").put("text", text);
            }
            if (complete) {
                m.put("stop_reason", stopReason);
            } else {
                m.putNull("stop_reason");
            }
            m.putNull("stop_sequence");
            ObjectNode usage = m.putObject("usage");
            putUsage(usage, complete ? outputTokens : 1);
            usage.put("service_tier", "standard");
            return m;
        }
    }

    private void stream(HttpExchange exchange, Message message, boolean breakOff) throws IOException {
        Headers rh = exchange.getResponseHeaders();
        rh.set("content-type", "text/event-stream; charset=utf-8");
        rh.set("cache-control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        ObjectNode start = mapper.createObjectNode().put("type", "message_start");
        start.set("message", message.json(mapper, false));
        event(out, "message_start", start);
        ObjectNode blockStart = mapper.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        event(out, "content_block_start", blockStart);
        event(out, "ping", mapper.createObjectNode().put("type", "ping"));

        int chunkChars = 4 * (config.tokensPerSecond() > 0
                ? Math.max(1, (int) Math.ceil(config.tokensPerSecond() * DELTA_INTERVAL_MS / 1000.0))
                : 8);
        long t0 = System.nanoTime();
        String text = message.text();
        int pos = 0;
        int sent = 0;
        while (pos < text.length()) {
            int end = Math.min(text.length(), pos + chunkChars);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            if (config.tokensPerSecond() > 0 && sent > 0) {
                long due = t0 + sent * DELTA_INTERVAL_MS * 1_000_000L;
                sleepNanos(due - System.nanoTime());
            }
            ObjectNode delta = mapper.createObjectNode().put("type", "content_block_delta").put("index", 0);
            delta.putObject("delta").put("type", "text_delta").put("text", text.substring(pos, end));
            event(out, "content_block_delta", delta);
            pos = end;
            sent++;
            if (breakOff && sent == 3) {
                ObjectNode error = mapper.createObjectNode().put("type", "error");
                error.putObject("error").put("type", "overloaded_error").put("message", "Overloaded");
                event(out, "error", error);
                out.close();
                return;
            }
        }
        event(out, "content_block_stop", mapper.createObjectNode().put("type", "content_block_stop").put("index", 0));
        ObjectNode delta = mapper.createObjectNode().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", message.stopReason()).putNull("stop_sequence");
        message.putUsage(delta.putObject("usage"), message.outputTokens());
        event(out, "message_delta", delta);
        event(out, "message_stop", mapper.createObjectNode().put("type", "message_stop"));
        out.close();
    }

    private void event(OutputStream out, String name, ObjectNode data) throws IOException {
        out.write(ClaudeStandIn.utf8("event: " + name + "\ndata: " + mapper.writeValueAsString(data) + "\n\n"));
        out.flush();
    }

    void sendError(HttpExchange exchange, String requestId, ApiError e) throws IOException {
        long now = System.currentTimeMillis();
        Headers rh = exchange.getResponseHeaders();
        addCommonHeaders(rh, requestId, now);
        if (e.retryAfterSeconds >= 0) {
            rh.set("retry-after", Long.toString(e.retryAfterSeconds));
        }
        if (e.status == 529 || e.status >= 500) {
            rh.set("x-should-retry", "true");
        }
        ObjectNode body = mapper.createObjectNode().put("type", "error");
        body.putObject("error").put("type", e.type).put("message", e.getMessage());
        body.put("request_id", requestId);
        Responses.send(exchange, e.status, "application/json", mapper.writeValueAsBytes(body));
    }

    void addCommonHeaders(Headers h, String requestId, long now) {
        h.set("request-id", requestId);
        h.set(STAND_IN_HEADER, "true");
        long reqRemaining = requests.remaining(now);
        long inRemaining = inputTokens.remaining(now);
        long outRemaining = outputTokens.remaining(now);
        String reqReset = rfc3339(requests.fullyReplenishedAtMs(now));
        String inReset = rfc3339(inputTokens.fullyReplenishedAtMs(now));
        String outReset = rfc3339(outputTokens.fullyReplenishedAtMs(now));
        h.set("anthropic-ratelimit-requests-limit", Long.toString(requests.limit()));
        h.set("anthropic-ratelimit-requests-remaining", Long.toString(reqRemaining));
        h.set("anthropic-ratelimit-requests-reset", reqReset);
        h.set("anthropic-ratelimit-input-tokens-limit", Long.toString(inputTokens.limit()));
        h.set("anthropic-ratelimit-input-tokens-remaining", Long.toString(inRemaining));
        h.set("anthropic-ratelimit-input-tokens-reset", inReset);
        h.set("anthropic-ratelimit-output-tokens-limit", Long.toString(outputTokens.limit()));
        h.set("anthropic-ratelimit-output-tokens-remaining", Long.toString(outRemaining));
        h.set("anthropic-ratelimit-output-tokens-reset", outReset);
        // tokens-*: the most restrictive of input and output (as the API reports it)
        boolean outTighter = outRemaining <= inRemaining;
        h.set("anthropic-ratelimit-tokens-limit", Long.toString(outTighter ? outputTokens.limit() : inputTokens.limit()));
        h.set("anthropic-ratelimit-tokens-remaining", Long.toString(Math.min(inRemaining, outRemaining)));
        h.set("anthropic-ratelimit-tokens-reset", outTighter ? outReset : inReset);
    }

    // ------------------------------------------------------------------------------------------
    // helpers

    static long tokens(String text) {
        return (text.length() + 3) / 4;
    }

    private static String cut(String text, int chars) {
        int end = Math.min(text.length(), chars);
        if (end > 0 && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private long generationMs(long outputTokens) {
        return config.tokensPerSecond() > 0 ? outputTokens * 1000 / config.tokensPerSecond() : 0;
    }

    private static long seconds(long ms) {
        return Math.max(1, (ms + 999) / 1000);
    }

    private static String rfc3339(long epochMs) {
        return Instant.ofEpochMilli(epochMs).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static void sleep(long ms) {
        sleepNanos(ms * 1_000_000L);
    }

    private static void sleepNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String id(String prefix) {
        StringBuilder b = new StringBuilder(prefix).append("011");
        for (int i = 0; i < 21; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
