package io.dialectica.local.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.dialectica.local.standin.MessagesHandler.ApiError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The Message Batches API as documented by Anthropic: {@code POST /v1/messages/batches} (create),
 * {@code GET /v1/messages/batches/{id}} (retrieve: {@code processing_status} {@code in_progress} /
 * {@code canceling} / {@code ended}, {@code request_counts}, {@code results_url} once ended, {@code expires_at}),
 * {@code GET /v1/messages/batches/{id}/results} (JSON Lines, one {@code {"custom_id", "result"}} per request, not
 * in request order; result types {@code succeeded} with the {@code message}, {@code errored} with the error,
 * {@code canceled}, {@code expired}), {@code POST /v1/messages/batches/{id}/cancel}, and the list
 * {@code GET /v1/messages/batches}.
 * <p>
 * A batch ends {@code standin.batch-processing-ms} after it was created: then every request is answered as
 * {@code POST /v1/messages} would answer it (same deterministic text, same prompt cache, same faults), without
 * latency or pacing. As with the API, a request's {@code params} are checked only then: a bad one is an
 * {@code errored} result, not a refused batch. A cancel moves the batch to {@code canceling} and, a moment later,
 * ends it with its unprocessed requests {@code canceled}. A batch still in progress at its {@code expires_at}
 * ({@code standin.batch-expiry-ms}) ends with them {@code expired}.
 * <p>
 * For tests, outside the API: {@code GET /batches} lists every batch with its custom ids, and
 * {@code POST /batches/{id}/expire} expires a batch in progress at once.
 */
final class BatchesHandler {

    /** custom_id as the API constrains it. */
    private static final Pattern CUSTOM_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final int MAX_REQUESTS = 100_000;
    private static final long CANCEL_MS = 200;

    private final StandInConfig config;
    private final MessagesHandler messages;
    private final RequestStats stats;
    private final ObjectMapper mapper;
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "standin-batches");
        t.setDaemon(true);
        return t;
    });

    BatchesHandler(StandInConfig config, MessagesHandler messages, RequestStats stats, ObjectMapper mapper) {
        this.config = config;
        this.messages = messages;
        this.stats = stats;
        this.mapper = mapper;
    }

    void close() {
        timer.shutdownNow();
    }

    /** One request of a batch: its custom id, its params, and once processed its result. */
    private static final class Item {
        final String customId;
        final JsonNode params;
        ObjectNode result;

        Item(String customId, JsonNode params) {
            this.customId = customId;
            this.params = params;
        }
    }

    private static final class Batch {
        final String id;
        final Instant createdAt;
        final Instant expiresAt;
        final List<Item> items;
        /** a fault named in the create request's x-standin-fault header: applies to all its requests */
        Optional<StandInConfig.Fault> fault = Optional.empty();
        String status = "in_progress";
        Instant endedAt;
        Instant cancelInitiatedAt;
        String resultsUrl;

        Batch(String id, Instant createdAt, Instant expiresAt, List<Item> items) {
            this.id = id;
            this.createdAt = createdAt;
            this.expiresAt = expiresAt;
            this.items = items;
        }
    }

    // ------------------------------------------------------------------------------------------
    // the API: /v1/messages/batches...

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long started = System.nanoTime();
            String requestId = MessagesHandler.id("req_");
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String[] parts = path.substring("/v1/messages/batches".length()).split("/");
            // "" | "/{id}" | "/{id}/results" | "/{id}/cancel"
            List<String> segments = new ArrayList<>();
            for (String p : parts) {
                if (!p.isEmpty()) {
                    segments.add(p);
                }
            }
            String note;
            int status = 200;
            try {
                MessagesHandler.checkHeaders(exchange.getRequestHeaders());
                messages.admit(System.currentTimeMillis());
                if (segments.isEmpty()) {
                    if (method.equals("POST")) {
                        Batch b = create(exchange);
                        note = b.id + " requests=" + b.items.size();
                        json(exchange, requestId, 200, view(b, exchange));
                    } else if (method.equals("GET")) {
                        note = "list";
                        json(exchange, requestId, 200, list(exchange));
                    } else {
                        throw notAllowed(method, "GET or POST");
                    }
                } else {
                    Batch b = batches.get(segments.getFirst());
                    if (b == null || segments.size() > 2) {
                        throw new ApiError(404, "not_found_error", "Not found");
                    }
                    String action = segments.size() == 2 ? segments.get(1) : "";
                    note = b.id + (action.isEmpty() ? "" : " " + action);
                    switch (action) {
                        case "" -> {
                            if (!method.equals("GET")) {
                                throw notAllowed(method, "GET");
                            }
                            json(exchange, requestId, 200, view(b, exchange));
                        }
                        case "cancel" -> {
                            if (!method.equals("POST")) {
                                throw notAllowed(method, "POST");
                            }
                            cancel(b);
                            json(exchange, requestId, 200, view(b, exchange));
                        }
                        case "results" -> {
                            if (!method.equals("GET")) {
                                throw notAllowed(method, "GET");
                            }
                            results(exchange, requestId, b);
                        }
                        default -> throw new ApiError(404, "not_found_error", "Not found");
                    }
                }
            } catch (ApiError e) {
                status = e.status;
                note = e.type;
                messages.sendError(exchange, requestId, e);
            }
            ClaudeStandIn.log(method + " " + path + " " + status + " " + requestId + " " + note + " "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    private static ApiError notAllowed(String method, String allowed) {
        return new ApiError(405, "invalid_request_error", "Method " + method + " not allowed: use " + allowed);
    }

    private Batch create(HttpExchange exchange) throws ApiError, IOException {
        JsonNode body = messages.readBody(exchange);
        JsonNode requests = body.get("requests");
        if (requests == null || requests.isNull()) {
            throw MessagesHandler.invalid("requests: Field required");
        }
        if (!requests.isArray()) {
            throw MessagesHandler.invalid("requests: Input should be a valid list");
        }
        if (requests.isEmpty()) {
            throw MessagesHandler.invalid("requests: List should have at least 1 item after validation, not 0");
        }
        if (requests.size() > MAX_REQUESTS) {
            throw MessagesHandler.invalid("requests: List should have at most " + MAX_REQUESTS + " items");
        }
        List<Item> items = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            JsonNode r = requests.get(i);
            String p = "requests." + i;
            if (!r.isObject()) {
                throw MessagesHandler.invalid(p + ": Input should be a valid dictionary");
            }
            JsonNode customId = r.get("custom_id");
            if (customId == null || !customId.isTextual()) {
                throw MessagesHandler.invalid(p + ".custom_id: Field required");
            }
            if (!CUSTOM_ID.matcher(customId.asText()).matches()) {
                throw MessagesHandler.invalid(p + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
            }
            if (!ids.add(customId.asText())) {
                throw MessagesHandler.invalid("Duplicate custom_id: " + customId.asText()
                        + " (custom_id must be unique within a batch)");
            }
            JsonNode params = r.get("params");
            if (params == null || !params.isObject()) {
                throw MessagesHandler.invalid(p + ".params: Field required");
            }
            items.add(new Item(customId.asText(), params));
        }
        Optional<StandInConfig.Fault> fault;
        try {
            fault = Optional.ofNullable(exchange.getRequestHeaders().getFirst(MessagesHandler.FAULT_HEADER))
                    .filter(f -> !f.isBlank()).map(StandInConfig.Fault::parse);
        } catch (IllegalArgumentException e) {
            throw MessagesHandler.invalid(MessagesHandler.FAULT_HEADER + ": " + e.getMessage());
        }
        Instant now = Instant.now();
        Batch b = new Batch(MessagesHandler.id("msgbatch_"), now, now.plusMillis(config.batchExpiryMs()), items);
        b.fault = fault;
        batches.put(b.id, b);
        long processing = config.batchProcessingMs();
        if (processing < config.batchExpiryMs()) {
            timer.schedule(() -> process(b), processing, TimeUnit.MILLISECONDS);
        } else {
            timer.schedule(() -> expire(b), config.batchExpiryMs(), TimeUnit.MILLISECONDS);
        }
        return b;
    }

    /** Processing ends: every request still processing is answered (or canceled, when a cancel came first). */
    private void process(Batch b) {
        synchronized (b) {
            if (b.status.equals("ended")) {
                return;
            }
            for (Item item : b.items) {
                if (item.result == null) {
                    item.result = b.cancelInitiatedAt != null ? type("canceled") : answer(item, b.fault);
                }
            }
            end(b);
        }
    }

    private void expire(Batch b) {
        synchronized (b) {
            if (b.status.equals("ended")) {
                return;
            }
            for (Item item : b.items) {
                if (item.result == null) {
                    item.result = type("expired");
                }
            }
            end(b);
            ClaudeStandIn.log("batch " + b.id + " expired");
        }
    }

    private void cancel(Batch b) {
        synchronized (b) {
            if (!b.status.equals("in_progress")) {
                return; // canceling already, or ended: the batch as it is
            }
            b.status = "canceling";
            b.cancelInitiatedAt = Instant.now();
        }
        timer.schedule(() -> process(b), CANCEL_MS, TimeUnit.MILLISECONDS);
    }

    private void end(Batch b) {
        b.status = "ended";
        b.endedAt = Instant.now();
    }

    /** One request as {@code POST /v1/messages} would answer it, as a batch result. */
    private ObjectNode answer(Item item, Optional<StandInConfig.Fault> batchFault) {
        long now = System.currentTimeMillis();
        try {
            MessagesHandler.Request request = MessagesHandler.validate(item.params, true);
            if (request.stream()) {
                throw MessagesHandler.invalid("stream: streaming is not supported for batch requests");
            }
            // only the faults that shape an answer apply in a batch (invalid-json, invalid-json-once)
            Optional<StandInConfig.Fault> fault = batchFault.or(() -> messages.configuredFault(request))
                    .filter(f -> f == StandInConfig.Fault.INVALID_JSON || f == StandInConfig.Fault.INVALID_JSON_ONCE);
            MessagesHandler.Generated g = messages.generate(request, fault, now);
            stats.batched(g.message().usage(), g.message().outputTokens());
            ObjectNode result = type("succeeded");
            result.set("message", g.message().json(mapper, true));
            return result;
        } catch (ApiError e) {
            ObjectNode result = type("errored");
            ObjectNode error = result.putObject("error").put("type", "error");
            error.putObject("error").put("type", e.type).put("message", e.getMessage());
            error.put("request_id", MessagesHandler.id("req_"));
            return result;
        }
    }

    private ObjectNode type(String type) {
        return mapper.createObjectNode().put("type", type);
    }

    private void results(HttpExchange exchange, String requestId, Batch b) throws ApiError, IOException {
        List<Item> items;
        synchronized (b) {
            if (!b.status.equals("ended")) {
                throw MessagesHandler.invalid("Batch " + b.id + " has not ended yet (processing_status " + b.status
                        + "): results are available once it has ended");
            }
            items = new ArrayList<>(b.items);
        }
        // results are not in request order (as with the API): clients key them by custom_id
        items.sort(Comparator.comparing(i -> i.customId, Comparator.reverseOrder()));
        StringBuilder lines = new StringBuilder();
        for (Item item : items) {
            ObjectNode line = mapper.createObjectNode().put("custom_id", item.customId);
            line.set("result", item.result);
            lines.append(mapper.writeValueAsString(line)).append('\n');
        }
        byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
        messages.addCommonHeaders(exchange.getResponseHeaders(), requestId, System.currentTimeMillis());
        Responses.send(exchange, 200, "application/binary", bytes);
    }

    private ObjectNode list(HttpExchange exchange) {
        ObjectNode page = mapper.createObjectNode();
        ArrayNode data = page.putArray("data");
        List<Batch> all = new ArrayList<>(batches.values());
        all.sort(Comparator.comparing((Batch b) -> b.createdAt).reversed());
        for (Batch b : all) {
            data.add(view(b, exchange));
        }
        page.put("has_more", false);
        if (all.isEmpty()) {
            page.putNull("first_id").putNull("last_id");
        } else {
            page.put("first_id", all.getFirst().id).put("last_id", all.getLast().id);
        }
        return page;
    }

    /** The MessageBatch object. */
    private ObjectNode view(Batch b, HttpExchange exchange) {
        synchronized (b) {
            ObjectNode v = mapper.createObjectNode();
            v.put("id", b.id);
            v.put("type", "message_batch");
            v.put("processing_status", b.status);
            ObjectNode counts = v.putObject("request_counts");
            Map<String, Integer> n = new LinkedHashMap<>();
            for (String k : List.of("processing", "succeeded", "errored", "canceled", "expired")) {
                n.put(k, 0);
            }
            for (Item item : b.items) {
                n.merge(item.result == null ? "processing" : item.result.path("type").asText(), 1, Integer::sum);
            }
            n.forEach(counts::put);
            putTime(v, "ended_at", b.endedAt);
            putTime(v, "created_at", b.createdAt);
            putTime(v, "expires_at", b.expiresAt);
            v.putNull("archived_at");
            putTime(v, "cancel_initiated_at", b.cancelInitiatedAt);
            if (b.status.equals("ended")) {
                String host = Optional.ofNullable(exchange.getRequestHeaders().getFirst("host"))
                        .orElse(config.host() + ":" + config.port());
                v.put("results_url", "http://" + host + "/v1/messages/batches/" + b.id + "/results");
            } else {
                v.putNull("results_url");
            }
            return v;
        }
    }

    private static void putTime(ObjectNode v, String field, Instant t) {
        if (t == null) {
            v.putNull(field);
        } else {
            v.put(field, t.toString());
        }
    }

    private void json(HttpExchange exchange, String requestId, int status, ObjectNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        messages.addCommonHeaders(exchange.getResponseHeaders(), requestId, System.currentTimeMillis());
        Responses.send(exchange, status, "application/json", bytes);
    }

    // ------------------------------------------------------------------------------------------
    // for tests, outside the API: /batches

    void control(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String[] s = path.split("/"); // "", "batches", id, "expire"
            if (path.equals("/batches") && method.equals("GET")) {
                ArrayNode out = mapper.createArrayNode();
                for (Batch b : batches.values()) {
                    ObjectNode v = view(b, exchange);
                    ArrayNode ids = v.putArray("custom_ids");
                    b.items.forEach(i -> ids.add(i.customId));
                    out.add(v);
                }
                plain(exchange, 200, out);
            } else if (s.length == 4 && s[3].equals("expire") && method.equals("POST") && batches.containsKey(s[2])) {
                Batch b = batches.get(s[2]);
                expire(b);
                plain(exchange, 200, view(b, exchange));
            } else {
                plain(exchange, 404, mapper.createObjectNode().put("error", "GET /batches or POST /batches/{id}/expire"));
            }
        }
    }

    private void plain(HttpExchange exchange, int status, JsonNode body) throws IOException {
        exchange.getResponseHeaders().set(MessagesHandler.STAND_IN_HEADER, "true");
        Responses.send(exchange, status, "application/json", mapper.writeValueAsBytes(body));
    }
}
