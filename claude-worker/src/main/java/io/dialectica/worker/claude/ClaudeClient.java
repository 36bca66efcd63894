package io.dialectica.worker.claude;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.RequestOptions;
import com.anthropic.core.Timeout;
import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.SseException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import io.dialectica.worker.claude.ClaudeFailure.Kind;
import io.dialectica.worker.config.WorkerConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One streamed Messages API call through the official SDK, nothing more: the SDK's own retries are off
 * ({@code maxRetries(0)}) because {@link ClaudeCaller} owns retries, the circuit breaker and the
 * rate limits. Failures come out classified as {@link ClaudeFailure}.
 * <p>
 * Without an API key the base URL is the local stand-in ({@code dialectica.worker.claude.stand-in-url})
 * and every answer is marked as the stand-in's; a response header {@code x-dialectica-stand-in: true}
 * marks it too, whatever the configuration.
 */
@ApplicationScoped
public class ClaudeClient {

    private static final Logger LOG = Logger.getLogger(ClaudeClient.class);
    public static final String STAND_IN_HEADER = "x-dialectica-stand-in";

    private final WorkerConfig.Claude config;
    private final AnthropicClient client;
    private final boolean standIn;
    private final String baseUrl;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "claude-call-watchdog");
        t.setDaemon(true);
        return t;
    });

    public ClaudeClient(WorkerConfig config) {
        this.config = config.claude();
        Optional<String> key = this.config.apiKey().filter(k -> !k.isBlank());
        this.standIn = key.isEmpty();
        this.baseUrl = standIn ? this.config.standInUrl() : this.config.baseUrl();
        this.client = AnthropicOkHttpClient.builder()
                .baseUrl(baseUrl)
                .apiKey(key.orElse("stand-in"))
                .maxRetries(0)
                .timeout(Timeout.builder()
                        .connect(this.config.connectTimeout())
                        .read(this.config.readTimeout())
                        .write(this.config.connectTimeout())
                        .request(this.config.timeout())
                        .build())
                .build();
        LOG.infof("Messages API at %s (%s), model %s", baseUrl, standIn ? "local stand-in: no ANTHROPIC_API_KEY"
                : "API key set", this.config.model());
    }

    public boolean standIn() {
        return standIn;
    }

    public String baseUrl() {
        return baseUrl;
    }

    @PreDestroy
    void close() {
        watchdog.shutdownNow();
        client.close();
    }

    /**
     * Warms the SDK client up before the consumer takes jobs, so the first granted requests leave at their
     * slots (a cold client — class loading, JSON mapper, connection pool — delayed them by seconds and
     * they reached the API together): serialises a request like a real one and opens {@code connections}
     * pooled connections with {@code GET /v1/models}, which costs no Messages quota (the real API answers
     * the list; the stand-in a 404 — either warms the same request, response and error paths).
     * Failures are logged only: the worker works cold too.
     */
    public void warmUp(int connections) {
        long started = System.nanoTime();
        try {
            MessageCreateParams params = MessageCreateParams.builder().model(config.model()).maxTokens(16)
                    .temperature(config.temperature()).system("warm-up").addUserMessage("warm-up").build();
            com.anthropic.core.ObjectMappers.jsonMapper().writeValueAsString(params._body());
        } catch (Exception e) {
            LOG.debugf("warm-up: serialising a request failed: %s", e.toString());
        }
        int n = Math.max(1, Math.min(connections, 5));
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofVirtual().name("claude-warm-up-" + i).start(() -> {
                try {
                    client.models().list();
                } catch (RuntimeException e) {
                    LOG.debugf("warm-up: GET /v1/models answered %s", e.toString());
                }
            }));
        }
        long deadline = System.nanoTime() + config.connectTimeout().multipliedBy(2).toNanos();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.infof("Messages API client warmed up (%d connection(s) to %s) in %d ms", n, baseUrl,
                (System.nanoTime() - started) / 1_000_000);
    }

    public ClaudeAnswer stream(ClaudeCall call, StreamListener listener) {
        return stream(call, listener, () -> false);
    }

    /**
     * Streams one call; {@code stale} is asked right before the request is sent: when it says so the call is
     * not made and {@link StaleGrant} is thrown (the caller reserves a new slot).
     */
    /** The call's blocks as the SDK's text blocks, {@code cache_control} on the breakpoints. */
    static List<TextBlockParam> blocks(List<ClaudeCall.Block> blocks) {
        return blocks.stream().map(b -> {
            TextBlockParam.Builder t = TextBlockParam.builder().text(b.text());
            if (b.breakpoint()) {
                t.cacheControl(CacheControlEphemeral.builder().build());
            }
            return t.build();
        }).toList();
    }

    static List<MessageParam> messages(List<ClaudeCall.Turn> turns) {
        return turns.stream().map(t -> MessageParam.builder()
                .role(t.role().equals("assistant") ? MessageParam.Role.ASSISTANT : MessageParam.Role.USER)
                .contentOfBlockParams(blocks(t.blocks()).stream().map(ContentBlockParam::ofText).toList())
                .build()).toList();
    }

    /**
     * {@code POST /v1/messages/count_tokens} for the system blocks and user messages given: the exact input
     * tokens of that prompt for the configured model (free; own rate limit at the API). Throws on any failure
     * (the caller falls back to an estimate).
     */
    public long countTokens(List<ClaudeCall.Block> system, List<ClaudeCall.Turn> turns, Duration timeout) {
        MessageCountTokensParams.Builder p = MessageCountTokensParams.builder().model(config.model()).messages(messages(turns));
        if (!system.isEmpty()) {
            p.systemOfTextBlockParams(blocks(system));
        }
        return client.messages().countTokens(p.build(), RequestOptions.builder().timeout(timeout).build()).inputTokens();
    }

    public ClaudeAnswer stream(ClaudeCall call, StreamListener listener, java.util.function.BooleanSupplier stale) {
        if (call.breakpoints() > 4) {
            throw new IllegalArgumentException("at most 4 cache_control breakpoints per request, not " + call.breakpoints());
        }
        MessageCreateParams.Builder params = MessageCreateParams.builder()
                .model(config.model())
                .maxTokens(call.maxTokens())
                .temperature(config.temperature())
                .messages(messages(call.turns()));
        if (!call.system().isEmpty()) {
            params.systemOfTextBlockParams(blocks(call.system()));
        }
        MessageCreateParams built = params.build();
        if (stale.getAsBoolean()) {
            throw new StaleGrant();
        }
        CallHandle handle = new CallHandle();
        listener.onCall(handle);
        ScheduledFuture<?> deadline = watchdog.schedule(handle::timeout, config.timeout().toMillis(),
                TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        StringBuilder text = new StringBuilder();
        int[] output = { 0 };
        try {
            HttpResponseFor<StreamResponse<RawMessageStreamEvent>> raw = client.messages().withRawResponse()
                    .createStreaming(built);
            Map<String, List<String>> headers = headers(raw.headers());
            boolean markedStandIn = standIn || headers.getOrDefault(STAND_IN_HEADER, List.of()).contains("true");
            String requestId = raw.requestId().orElse(first(headers, "request-id"));
            listener.onHeaders(headers);
            String model = config.model();
            int input = 0;
            int[] cache = { 0, 0 }; // creation, read
            String stopReason = null;
            boolean stopped = false;
            try (StreamResponse<RawMessageStreamEvent> stream = raw.parse()) {
                handle.attach(stream);
                for (var it = stream.stream().iterator(); it.hasNext();) {
                    RawMessageStreamEvent event = it.next();
                    if (event.isMessageStart()) {
                        var message = event.asMessageStart().message();
                        model = safe(() -> message.model().asString(), model);
                        input = safe(() -> (int) message.usage().inputTokens(), input);
                        cache[0] = safe(() -> message.usage().cacheCreationInputTokens().map(Long::intValue).orElse(0), 0);
                        cache[1] = safe(() -> message.usage().cacheReadInputTokens().map(Long::intValue).orElse(0), 0);
                        output[0] = safe(() -> (int) message.usage().outputTokens(), 0);
                    } else if (event.isContentBlockDelta()) {
                        event.asContentBlockDelta().delta().text().ifPresent(d -> text.append(d.text()));
                        output[0] = Math.max(output[0], (text.length() + 3) / 4);
                        listener.onTokens(output[0]);
                    } else if (event.isMessageDelta()) {
                        var delta = event.asMessageDelta();
                        output[0] = safe(() -> (int) delta.usage().outputTokens(), output[0]);
                        // message_delta's usage is cumulative; the input fields are there in newer API versions
                        int before = input;
                        input = safe(() -> delta.usage().inputTokens().map(Long::intValue).orElse(before), before);
                        cache[0] = safe(() -> delta.usage().cacheCreationInputTokens().map(Long::intValue).orElse(cache[0]),
                                cache[0]);
                        cache[1] = safe(() -> delta.usage().cacheReadInputTokens().map(Long::intValue).orElse(cache[1]),
                                cache[1]);
                        stopReason = safe(() -> delta.delta().stopReason().map(Object::toString).orElse(null), null);
                        listener.onTokens(output[0]);
                    } else if (event.isMessageStop()) {
                        stopped = true;
                    }
                }
            }
            if (!stopped) {
                throw new ClaudeFailure(handle.timedOut() ? Kind.TIMEOUT : Kind.IO_ERROR, 0,
                        handle.timedOut() ? "timed out after " + config.timeout().toSeconds() + " s"
                                : "the stream ended before message_stop",
                        Optional.empty(), output[0], null);
            }
            long latency = Duration.ofNanos(System.nanoTime() - started).toMillis();
            return new ClaudeAnswer(text.toString(), model, input, output[0], cache[0], cache[1], requestId, latency,
                    stopReason, markedStandIn);
        } catch (ClaudeFailure f) {
            throw f;
        } catch (RateLimitException e) {
            throw new ClaudeFailure(Kind.RATE_LIMITED, e.statusCode(), "rate limited (429)",
                    retryAfter(headers(e.headers())), output[0], e);
        } catch (SseException e) {
            throw fromErrorEvent(e, output[0]);
        } catch (AnthropicServiceException e) {
            throw fromStatus(e, output[0]);
        } catch (AnthropicIoException e) {
            throw ioFailure(e, handle, output[0]);
        } catch (AnthropicException | java.io.UncheckedIOException e) {
            if (handle.aborted()) {
                throw ioFailure(e, handle, output[0]);
            }
            throw new ClaudeFailure(Kind.SERVER_ERROR, 0, "unreadable response: " + e.getMessage(), Optional.empty(),
                    output[0], e);
        } catch (RuntimeException e) {
            if (handle.aborted() || hasCause(e, java.io.IOException.class)) {
                throw ioFailure(e, handle, output[0]);
            }
            throw e;
        } finally {
            deadline.cancel(false);
            listener.onCall(null);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Message Batches (client.messages().batches()): one HTTP request each; the caller owns rate limits and retries

    /** One request of a Message Batch: its {@code custom_id} (the job id) and the call. */
    public record BatchEntry(String customId, ClaudeCall call) {
    }

    /** A Message Batch as retrieved: {@code processingStatus} in_progress, canceling or ended, and its counts. */
    public record BatchStatus(String id, String processingStatus, long processing, long succeeded, long errored,
            long canceled, long expired, Instant expiresAt) {
        public boolean ended() {
            return "ended".equals(processingStatus);
        }
    }

    /**
     * One line of a batch's results: {@code type} succeeded (with the {@code answer}), errored (with {@code error},
     * the API's error type and message), canceled or expired.
     */
    public record BatchResult(String customId, String type, ClaudeAnswer answer, String error) {
    }

    /** {@code POST /v1/messages/batches}: the calls, as the same Messages requests {@link #stream} would send (not streamed). */
    public BatchStatus createBatch(List<BatchEntry> entries) {
        com.anthropic.models.messages.batches.BatchCreateParams.Builder batch =
                com.anthropic.models.messages.batches.BatchCreateParams.builder();
        for (BatchEntry e : entries) {
            ClaudeCall call = e.call();
            var params = com.anthropic.models.messages.batches.BatchCreateParams.Request.Params.builder()
                    .model(config.model())
                    .maxTokens(call.maxTokens())
                    .temperature(config.temperature())
                    .messages(messages(call.turns()));
            if (!call.system().isEmpty()) {
                params.systemOfTextBlockParams(blocks(call.system()));
            }
            batch.addRequest(com.anthropic.models.messages.batches.BatchCreateParams.Request.builder()
                    .customId(e.customId()).params(params.build()).build());
        }
        return batchCall(() -> status(client.messages().batches().create(batch.build())));
    }

    /** {@code GET /v1/messages/batches/{id}}. */
    public BatchStatus retrieveBatch(String id) {
        return batchCall(() -> status(client.messages().batches().retrieve(id)));
    }

    /** {@code POST /v1/messages/batches/{id}/cancel}: the API cancels whole batches only. */
    public BatchStatus cancelBatch(String id) {
        return batchCall(() -> status(client.messages().batches().cancel(id)));
    }

    /** {@code GET /v1/messages/batches/{id}/results} (JSON Lines), each line handed to {@code each} as it is read. */
    public void batchResults(String id, java.util.function.Consumer<BatchResult> each) {
        batchCall(() -> {
            try (StreamResponse<com.anthropic.models.messages.batches.MessageBatchIndividualResponse> lines =
                    client.messages().batches().resultsStreaming(id)) {
                lines.stream().forEach(line -> each.accept(result(id, line)));
            }
            return null;
        });
    }

    private BatchResult result(String batchId, com.anthropic.models.messages.batches.MessageBatchIndividualResponse line) {
        var r = line.result();
        if (r.isSucceeded()) {
            var m = r.asSucceeded().message();
            StringBuilder text = new StringBuilder();
            m.content().forEach(block -> block.text().ifPresent(t -> text.append(t.text())));
            var u = m.usage();
            ClaudeAnswer answer = new ClaudeAnswer(text.toString(), safe(() -> m.model().asString(), config.model()),
                    (int) u.inputTokens(), (int) u.outputTokens(), u.cacheCreationInputTokens().map(Long::intValue).orElse(0),
                    u.cacheReadInputTokens().map(Long::intValue).orElse(0), batchId, 0,
                    safe(() -> m.stopReason().map(Object::toString).orElse(null), null), standIn);
            return new BatchResult(line.customId(), "succeeded", answer, null);
        }
        if (r.isErrored()) {
            String error;
            try {
                var node = com.anthropic.core.ObjectMappers.jsonMapper().valueToTree(r.asErrored().error());
                error = node.path("error").path("type").asText("error") + ": " + node.path("error").path("message").asText("");
            } catch (RuntimeException e) {
                error = String.valueOf(r.asErrored().error());
            }
            return new BatchResult(line.customId(), "errored", null, error);
        }
        return new BatchResult(line.customId(), r.isCanceled() ? "canceled" : r.isExpired() ? "expired" : "unknown", null,
                null);
    }

    private static BatchStatus status(com.anthropic.models.messages.batches.MessageBatch b) {
        var c = b.requestCounts();
        return new BatchStatus(b.id(), b.processingStatus().asString(), c.processing(), c.succeeded(), c.errored(),
                c.canceled(), c.expired(), b.expiresAt().toInstant());
    }

    /** A batches request, its failure classified as a {@link ClaudeFailure} like a Messages call's. */
    private <T> T batchCall(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RateLimitException e) {
            throw new ClaudeFailure(Kind.RATE_LIMITED, e.statusCode(), "rate limited (429)",
                    retryAfter(headers(e.headers())), 0, e);
        } catch (AnthropicServiceException e) {
            throw fromStatus(e, 0);
        } catch (AnthropicException | java.io.UncheckedIOException e) {
            throw new ClaudeFailure(Kind.IO_ERROR, 0, "I/O error: " + rootMessage(e), Optional.empty(), 0, e);
        }
    }

    private ClaudeFailure ioFailure(Exception e, CallHandle handle, int output) {
        boolean timeout = handle.timedOut() || hasCause(e, SocketTimeoutException.class)
                || (hasCause(e, InterruptedIOException.class) && String.valueOf(rootMessage(e)).contains("timeout"));
        return new ClaudeFailure(timeout ? Kind.TIMEOUT : Kind.IO_ERROR, 0,
                timeout ? "timed out (" + rootMessage(e) + ")" : "I/O error: " + rootMessage(e), Optional.empty(),
                output, e);
    }

    private static ClaudeFailure fromStatus(AnthropicServiceException e, int output) {
        int status = e.statusCode();
        Optional<Duration> retryAfter = retryAfter(headers(e.headers()));
        String body = String.valueOf(e.getMessage());
        if (status == 429) {
            return new ClaudeFailure(Kind.RATE_LIMITED, status, "rate limited (429)", retryAfter, output, e);
        }
        if (status == 529) {
            return new ClaudeFailure(Kind.OVERLOADED, status, "overloaded (529)", retryAfter, output, e);
        }
        if (status == 408) {
            return new ClaudeFailure(Kind.TIMEOUT, status, "request timeout (408)", retryAfter, output, e);
        }
        if (status >= 500) {
            return new ClaudeFailure(Kind.SERVER_ERROR, status, "server error (" + status + ")", retryAfter, output, e);
        }
        return new ClaudeFailure(Kind.CLIENT_ERROR, status, "the Messages API refused the request (" + status + "): "
                + abbreviate(body), Optional.empty(), output, e);
    }

    /** An {@code error} event in the middle of a stream: its error type says what happened. */
    private static ClaudeFailure fromErrorEvent(SseException e, int output) {
        String body = String.valueOf(e.body()) + " " + e.getMessage();
        Optional<Duration> retryAfter = retryAfter(headers(e.headers()));
        if (body.contains("overloaded_error")) {
            return new ClaudeFailure(Kind.OVERLOADED, 529, "overloaded (error event in the stream)", retryAfter, output, e);
        }
        if (body.contains("rate_limit_error")) {
            return new ClaudeFailure(Kind.RATE_LIMITED, 429, "rate limited (error event in the stream)", retryAfter,
                    output, e);
        }
        if (body.contains("invalid_request_error") || body.contains("authentication_error")
                || body.contains("permission_error")) {
            return new ClaudeFailure(Kind.CLIENT_ERROR, 400, "error event in the stream: " + abbreviate(body),
                    Optional.empty(), output, e);
        }
        return new ClaudeFailure(Kind.SERVER_ERROR, 500, "error event in the stream: " + abbreviate(body), retryAfter,
                output, e);
    }

    /** {@code retry-after-ms}, else {@code retry-after} in seconds (decimals allowed) or as an HTTP date. */
    static Optional<Duration> retryAfter(Map<String, List<String>> headers) {
        String ms = first(headers, "retry-after-ms");
        if (ms != null) {
            try {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(ms.trim())));
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        String value = first(headers, "retry-after");
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000)));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException ignored) {
                return Optional.empty();
            }
        }
    }

    static Map<String, List<String>> headers(Headers headers) {
        Map<String, List<String>> out = new HashMap<>();
        if (headers != null) {
            for (String name : headers.names()) {
                out.put(name.toLowerCase(Locale.ROOT), headers.values(name));
            }
        }
        return out;
    }

    static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static <T> T safe(java.util.function.Supplier<T> s, T fallback) {
        try {
            T v = s.get();
            return v == null ? fallback : v;
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
