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
 * of the Claude Messages API.
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
            if (!exchange.getRequestURI().getPath().equals("/v1/messages")) {
                sendError(exchange, requestId, new ApiError(404, "not_found_error", "Not found"));
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("allow", "POST");
                sendError(exchange, requestId, new ApiError(405, "invalid_request_error",
                        "Method " + exchange.getRequestMethod() + " not allowed: use POST /v1/messages"));
                return;
            }
            stats.received(System.currentTimeMillis());
            Outcome outcome;
            try {
                outcome = respond(exchange, requestId);
            } catch (ApiError e) {
                sendError(exchange, requestId, e);
                outcome = new Outcome(e.status, 0, 0, false, null, e.type);
            }
            stats.answered(outcome.status(), System.currentTimeMillis(), outcome.outputTokens());
            ClaudeStandIn.log("POST /v1/messages " + outcome.status() + " " + requestId
                    + (outcome.stream() ? " stream" : "") + (outcome.schema() != null ? " " + outcome.schema() : "")
                    + (outcome.note() != null ? " " + outcome.note() : "")
                    + " in=" + outcome.inputTokens() + " out=" + outcome.outputTokens() + " "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    private record Outcome(int status, long inputTokens, long outputTokens, boolean stream, String schema, String note) {
    }

    private Outcome respond(HttpExchange exchange, String requestId) throws ApiError, IOException {
        Headers h = exchange.getRequestHeaders();
        String key = h.getFirst("x-api-key");
        if (key == null || key.isBlank()) {
            throw new ApiError(401, "authentication_error", "x-api-key header is required");
        }
        String version = h.getFirst("anthropic-version");
        if (version == null || version.isBlank()) {
            throw new ApiError(400, "invalid_request_error", "anthropic-version: header is required");
        }
        Optional<Fault> fault;
        try {
            fault = Optional.ofNullable(h.getFirst(FAULT_HEADER)).filter(s -> !s.isBlank()).map(Fault::parse)
                    .or(config::fault);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "invalid_request_error", FAULT_HEADER + ": " + e.getMessage());
        }
        JsonNode body = readBody(exchange);
        Request request = validate(body);

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
        long in = Math.max(1, tokens(request.allText()));
        long out = tokens(text);
        inputTokens.record(in, now);

        sleep(config.latencyMs());
        Message message = new Message(id("msg_"), request.model(), text, stopReason, in, out);
        addCommonHeaders(exchange.getResponseHeaders(), requestId, now);
        if (request.stream()) {
            boolean broken = fault.isPresent() && fault.get() == Fault.STREAM_ERROR;
            stream(exchange, message, broken);
            if (broken) {
                note = "fault=stream-error";
            }
        } else {
            sleep(generationMs(out));
            byte[] bytes = mapper.writeValueAsBytes(message.json(mapper, true));
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        }
        outputTokens.record(out, System.currentTimeMillis());
        return new Outcome(200, in, out, request.stream(), answer.schema(), note);
    }

    // ------------------------------------------------------------------------------------------
    // request

    private record Request(String model, int maxTokens, boolean stream, String system, List<Answers.Turn> turns) {
        String allText() {
            StringBuilder b = new StringBuilder(system == null ? "" : system);
            turns.forEach(t -> b.append(t.text()));
            return b.toString();
        }
    }

    private JsonNode readBody(HttpExchange exchange) throws ApiError, IOException {
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

    private static Request validate(JsonNode body) throws ApiError {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw invalid("model: Field required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw invalid("model: Input should be a valid string");
        }
        JsonNode maxTokens = body.get("max_tokens");
        if (maxTokens == null || maxTokens.isNull()) {
            throw invalid("max_tokens: Field required");
        }
        if (!maxTokens.canConvertToInt() || !maxTokens.isIntegralNumber()) {
            throw invalid("max_tokens: Input should be a valid integer");
        }
        if (maxTokens.asInt() < 1) {
            throw invalid("max_tokens: Input should be greater than or equal to 1");
        }
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
            turns.add(new Answers.Turn(role, content(m.get("content"), p + ".content")));
        }
        if (!turns.getFirst().role().equals("user")) {
            throw invalid("messages: first message must use the \"user\" role");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw invalid("stream: Input should be a valid boolean");
        }
        JsonNode system = body.get("system");
        String systemText = system == null || system.isNull() ? null : content(system, "system");
        return new Request(model.asText(), maxTokens.asInt(), stream != null && stream.asBoolean(false), systemText, turns);
    }

    /** A string, or an array of content blocks whose text blocks are joined. */
    private static String content(JsonNode content, String path) throws ApiError {
        if (content == null || content.isNull()) {
            throw invalid(path + ": Field required");
        }
        if (content.isTextual()) {
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
            if (block.path("type").asText().equals("text")) {
                if (!block.path("text").isTextual()) {
                    throw invalid(path + "." + i + ".text: Field required");
                }
                if (!b.isEmpty()) {
                    b.append('\n');
                }
                b.append(block.path("text").asText());
            }
        }
        return b.toString();
    }

    private static ApiError invalid(String message) {
        return new ApiError(400, "invalid_request_error", message);
    }

    // ------------------------------------------------------------------------------------------
    // response

    private record Message(String id, String model, String text, String stopReason, long inputTokens,
            long outputTokens) {

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
            usage.put("input_tokens", inputTokens);
            usage.put("cache_creation_input_tokens", 0);
            usage.put("cache_read_input_tokens", 0);
            usage.put("output_tokens", complete ? outputTokens : 1);
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
        delta.putObject("usage").put("input_tokens", message.inputTokens()).put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0).put("output_tokens", message.outputTokens());
        event(out, "message_delta", delta);
        event(out, "message_stop", mapper.createObjectNode().put("type", "message_stop"));
        out.close();
    }

    private void event(OutputStream out, String name, ObjectNode data) throws IOException {
        out.write(ClaudeStandIn.utf8("event: " + name + "\ndata: " + mapper.writeValueAsString(data) + "\n\n"));
        out.flush();
    }

    private void sendError(HttpExchange exchange, String requestId, ApiError e) throws IOException {
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
        byte[] bytes = mapper.writeValueAsBytes(body);
        rh.set("content-type", "application/json");
        exchange.sendResponseHeaders(e.status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void addCommonHeaders(Headers h, String requestId, long now) {
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
