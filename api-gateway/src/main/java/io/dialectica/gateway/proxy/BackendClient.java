package io.dialectica.gateway.proxy;

import io.dialectica.gateway.config.GatewayConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One backend: a non-blocking WebClient with the backend's timeouts (connect, idle read, and an
 * overall deadline timed on the event loop), and a SmallRye Fault Tolerance guard (circuit breaker)
 * built from configuration, since backends are data, not annotated methods.
 */
public final class BackendClient {

    @SuppressWarnings({ "rawtypes", "unchecked" })
    private static final Class<Uni<HttpResponse<Buffer>>> UNI = (Class) Uni.class;
    @SuppressWarnings({ "rawtypes", "unchecked" })
    private static final Class<Uni<HttpClientResponse>> STREAM_UNI = (Class) Uni.class;

    private final String name;
    private final GatewayConfig.Backend config;
    private final WebClient client;
    private final Guard guard;
    private final String host;
    private final int port;
    private final String basePath;
    private final Set<Integer> healthyStatuses;
    private final Vertx vertx;
    private final long timeoutMillis;
    /** For answers relayed as they arrive (GET /api/me/export): the WebClient above reads a body whole. */
    private final HttpClient streams;

    BackendClient(String name, GatewayConfig.Backend config, Vertx vertx) {
        this.name = name;
        this.config = config;
        this.vertx = vertx;
        this.timeoutMillis = config.timeout().toMillis();
        URI url = config.url();
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        if (url.getHost() == null || !(https || "http".equalsIgnoreCase(url.getScheme()))) {
            throw new IllegalStateException("gateway.backends." + name + ".url must be an http(s) URL, is " + url);
        }
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : (https ? 443 : 80);
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setSsl(https)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(config.maxConnections())
                .setKeepAlive(true)
                // a proxy relays redirects and the client's own User-Agent; it never follows or replaces them
                .setFollowRedirects(false)
                .setUserAgentEnabled(false)
                // relay compressed bodies as they are (the client asked for them with Accept-Encoding)
                .setDecompressionSupported(false));
        this.streams = vertx.getDelegate().createHttpClient(new HttpClientOptions()
                .setSsl(https)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(config.maxConnections())
                .setKeepAlive(true)
                .setDecompressionSupported(false));
        GatewayConfig.CircuitBreaker breaker = config.circuitBreaker();
        this.healthyStatuses = Set.copyOf(breaker.healthyStatuses().orElse(Set.of()));
        this.guard = Guard.create()
                .withDescription("backend " + name)
                .withCircuitBreaker()
                    .name(breakerName(name))
                    .requestVolumeThreshold(breaker.requestVolumeThreshold())
                    .failureRatio(breaker.failureRatio())
                    .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(breaker.successThreshold())
                    .done()
                // the call is already non-blocking: stay on the event loop
                .withThreadOffload(false)
                .build();
    }

    static String breakerName(String backend) {
        return "gateway-backend-" + backend;
    }

    public String name() {
        return name;
    }

    public GatewayConfig.Backend config() {
        return config;
    }

    public CircuitBreakerState circuitState() {
        return CircuitBreakerMaintenance.get().currentState(breakerName(name));
    }

    /**
     * Forwards one request through the guard. A 5xx answer is a failure for the breaker (unless the
     * backend's {@code circuit-breaker.healthy-statuses} names it), yet it is still the answer the
     * client gets; any other answer (4xx included) is a success.
     */
    public Uni<HttpResponse<Buffer>> send(HttpMethod method, String pathAndQuery, MultiMap headers, Buffer body) {
        Supplier<Uni<HttpResponse<Buffer>>> call = () -> {
            HttpRequest<Buffer> request = client.request(method, port, host, basePath + pathAndQuery)
                    .putHeaders(headers)
                    .idleTimeout(config.readTimeout().toMillis());
            Uni<HttpResponse<Buffer>> sent = withDeadline(body == null ? request.send() : request.sendBuffer(body));
            return sent.onItem().transformToUni(response -> response.statusCode() >= 500
                    && !healthyStatuses.contains(response.statusCode())
                    ? Uni.createFrom().failure(new ServerErrorAnswer(response))
                    : Uni.createFrom().item(response));
        };
        return Uni.createFrom().deferred(() -> guard.get(call, UNI))
                .onFailure(ServerErrorAnswer.class)
                .recoverWithItem(failure -> ((ServerErrorAnswer) failure).response);
    }

    /**
     * Sends a GET through the guard and answers as soon as the head of the answer arrives, its body not read yet: the
     * response is paused (nothing of it is lost) until the caller sets its handlers and resumes it. The overall
     * {@code timeout} bounds the wait for the head only, so a long body may take as long as it needs; the idle
     * {@code read-timeout} still ends an exchange that falls silent. A 5xx head counts as a failure for the breaker and
     * is still answered.
     */
    public Uni<HttpClientResponse> stream(String pathAndQuery, io.vertx.core.MultiMap headers) {
        Supplier<Uni<HttpClientResponse>> call = () -> {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
                    .setURI(basePath + pathAndQuery).setHeaders(headers).setIdleTimeout(config.readTimeout().toMillis());
            Uni<HttpClientResponse> head = Uni.createFrom().completionStage(() -> streams.request(options)
                    .compose(request -> request.send())
                    // on the event loop, as the head arrives: before any of the body can
                    .map(response -> response.pause())
                    .toCompletionStage());
            return withDeadline(head).onItem().transformToUni(response -> response.statusCode() >= 500
                    && !healthyStatuses.contains(response.statusCode())
                    ? Uni.createFrom().failure(new ServerErrorStream(response))
                    : Uni.createFrom().item(response));
        };
        return Uni.createFrom().deferred(() -> guard.get(call, STREAM_UNI))
                .onFailure(ServerErrorStream.class)
                .recoverWithItem(failure -> ((ServerErrorStream) failure).response);
    }

    /**
     * The overall ceiling of one call ({@code timeout}), as a timer on the calling event loop. It used to
     * be the guard's own timeout, which schedules on a timer thread and wakes the event loop from there:
     * two context switches per request, about 6 % of the gateway's CPU under load (docs/benchmarks.md).
     * Thrown inside the guard, the timeout still counts as a failure for the breaker.
     */
    private <T> Uni<T> withDeadline(Uni<T> call) {
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.setTimer(timeoutMillis, id -> emitter.fail(
                    new TimeoutException(name + " did not answer within " + timeoutMillis + " ms")));
            call.subscribe().with(
                    answer -> {
                        vertx.cancelTimer(timer);
                        emitter.complete(answer);
                    },
                    failure -> {
                        vertx.cancelTimer(timer);
                        emitter.fail(failure);
                    });
        });
    }

    /** Probes the backend's health path, outside the breaker: a probe must not trip it. */
    public Uni<Integer> probe(long timeoutMillis) {
        return client.request(HttpMethod.GET, port, host, basePath + config.healthPath())
                .connectTimeout(timeoutMillis)
                .idleTimeout(timeoutMillis)
                .send()
                .map(HttpResponse::statusCode);
    }

    void close() {
        client.close();
        streams.close();
    }

    /** A streamed 5xx answer travelling through the guard as a failure, so the breaker counts it. */
    private static final class ServerErrorStream extends RuntimeException {
        final transient HttpClientResponse response;

        ServerErrorStream(HttpClientResponse response) {
            super("backend answered " + response.statusCode(), null, false, false);
            this.response = response;
        }
    }

    /** A 5xx answer travelling through the guard as a failure, so the breaker counts it. */
    private static final class ServerErrorAnswer extends RuntimeException {
        final transient HttpResponse<Buffer> response;

        ServerErrorAnswer(HttpResponse<Buffer> response) {
            super("backend answered " + response.statusCode(), null, false, false);
            this.response = response;
        }
    }
}
