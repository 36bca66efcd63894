package io.dialectica.local.standin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local stand-in of the Claude Messages API ({@code POST /v1/messages}, JSON and SSE streaming, error
 * shapes, request ids and rate-limit headers as Anthropic sends them), answering Dialectica's prompts
 * deterministically from the concept graph in the prompt ({@link Answers}). {@code ./dialectica up}
 * runs it as process {@code claude-standin} on 127.0.0.1:18089 when {@code ANTHROPIC_API_KEY} is not
 * set. Every response carries {@code x-dialectica-stand-in: true}.
 * <p>
 * Prompt caching ({@code cache_control} breakpoints, minimum length, lifetime refreshed on read, the
 * {@code cache_*_input_tokens} usage fields: {@link PromptCache}) and {@code POST /v1/messages/count_tokens}
 * work as documented, and the Message Batches API ({@link BatchesHandler}: create, retrieve, list, results as JSON
 * Lines, cancel; a batch ends after {@code standin.batch-processing-ms}).
 * <p>
 * Also: {@code GET /health}, {@code GET /stats} (requests in total and per epoch second, the busiest
 * 1 s and 60 s windows, tokens by kind) and {@code POST /stats/reset}, {@code POST /cache/reset}.
 * Settings: {@link StandInConfig}, README.md.
 */
public final class ClaudeStandIn implements AutoCloseable {

    private final StandInConfig config;
    private final HttpServer server;
    private final ExecutorService executor;
    private final RequestStats stats = new RequestStats();
    private final ObjectMapper mapper = new ObjectMapper();
    private final MessagesHandler messages;
    private final BatchesHandler batches;

    private ClaudeStandIn(StandInConfig config) throws IOException {
        this.config = config;
        // SSE events are small writes: without TCP_NODELAY, Nagle's algorithm would hold them back
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        this.messages = new MessagesHandler(config, stats, mapper);
        server.createContext("/v1/messages", messages::handle);
        this.batches = new BatchesHandler(config, messages, stats, mapper);
        server.createContext("/v1/messages/batches", batches::handle);
        server.createContext("/batches", batches::control);
        server.createContext("/stats", this::stats);
        server.createContext("/cache", this::cache);
        server.createContext("/health", this::health);
        server.createContext("/", messages::notFound);
    }

    /** Starts a stand-in; {@code port} 0 picks a free port ({@link #port()}). */
    public static ClaudeStandIn start(StandInConfig config) throws IOException {
        ClaudeStandIn s = new ClaudeStandIn(config);
        s.server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + config.host() + ":" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        batches.close();
        executor.shutdownNow();
    }

    private void stats(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/stats") && method.equals("GET")) {
                Map<String, Object> snapshot = stats.snapshot();
                snapshot.put("cacheEntries", messages.cacheEntries());
                json(exchange, 200, snapshot);
            } else if (path.equals("/stats/reset") && method.equals("POST")) {
                stats.reset();
                json(exchange, 200, Map.of("reset", true, "at", Instant.now().toString()));
            } else {
                json(exchange, 404, Map.of("error", "GET /stats or POST /stats/reset"));
            }
        }
    }

    /**
     * {@code POST /cache/reset}: forgets every cached prompt prefix and the conversations invalid-json-once has
     * answered (a benchmark's run starts cold).
     */
    private void cache(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestURI().getPath().equals("/cache/reset") && exchange.getRequestMethod().equals("POST")) {
                int entries = messages.cacheEntries();
                messages.clearCache();
                json(exchange, 200, Map.of("cleared", entries, "at", Instant.now().toString()));
            } else {
                json(exchange, 404, Map.of("error", "POST /cache/reset"));
            }
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        try (exchange) {
            json(exchange, 200, Map.of("status", "UP", "standIn", true, "config", config.toString()));
        }
    }

    private void json(HttpExchange exchange, int status, Object body) throws IOException {
        exchange.getResponseHeaders().set(MessagesHandler.STAND_IN_HEADER, "true");
        Responses.send(exchange, status, "application/json", mapper.writeValueAsBytes(body));
    }

    static void log(String message) {
        System.out.println("[claude-standin] " + Instant.now() + " " + message);
    }

    public static void main(String[] args) throws Exception {
        StandInConfig config = StandInConfig.fromEnvironment();
        ClaudeStandIn standIn = start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            standIn.close();
            stopped.countDown();
        }, "claude-standin-shutdown"));
        log("ready: " + standIn.baseUrl() + " (Messages API stand-in; " + config + ")");
        stopped.await();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
