package io.dialectica.gateway.problem;

import io.dialectica.gateway.observability.RequestIds;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes RFC 7807 {@code application/problem+json} answers. Type URIs follow the services'
 * convention ({@code urn:dialectica:problem:<slug>}); {@code requestId} lets a caller quote the
 * request to an operator.
 */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:dialectica:problem:";
    /** A refused URI can be tens of KiB long: {@code instance} keeps its first 256 characters. */
    static final int MAX_INSTANCE_LENGTH = 256;
    /** Most bytes of a refused body read and dropped; past that the connection is closed instead. */
    static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    private Problems() {
    }

    public static void send(RoutingContext ctx, GatewayProblem problem) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed() || response.headWritten()) {
            return;
        }
        JsonObject body = new JsonObject()
                .put("type", TYPE_PREFIX + problem.slug())
                .put("title", problem.title())
                .put("status", problem.status())
                .put("detail", problem.detail())
                .put("instance", instance(ctx.request()));
        String requestId = RequestIds.of(ctx);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        problem.headers().forEach(response::putHeader);
        response.setStatusCode(problem.status())
                .putHeader("Content-Type", MEDIA_TYPE)
                .putHeader("Cache-Control", "no-store");
        finishReading(ctx.request(), response);
        response.end(body.encode());
    }

    /** The path (no query), cut at {@link #MAX_INSTANCE_LENGTH} characters. */
    public static String instance(HttpServerRequest request) {
        String path = request.path();
        if (path == null || path.length() <= MAX_INSTANCE_LENGTH) {
            return path;
        }
        return path.substring(0, MAX_INSTANCE_LENGTH) + "...";
    }

    /**
     * A refused request may still be sending its body; closing on it would leave the client with a broken pipe
     * or a reset instead of this answer. A client waiting for {@code 100-continue} has sent nothing: the
     * connection is closed once the answer is written (RFC 9110 §10.1.1). Any other body is read to its end and
     * dropped (up to {@link #DRAIN_LIMIT}), and the connection stays usable.
     */
    private static void finishReading(HttpServerRequest request, HttpServerResponse response) {
        if (request.isEnded()) {
            return;
        }
        HttpConnection connection = request.connection();
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            response.putHeader("Connection", "close");
            response.endHandler(ignored -> connection.close());
            return;
        }
        long[] drained = {0};
        try {
            request.exceptionHandler(ignored -> { });
            request.handler(chunk -> {
                drained[0] += chunk.length();
                if (drained[0] > DRAIN_LIMIT) {
                    connection.close();
                }
            });
            request.resume();
        } catch (IllegalStateException alreadyRead) {
            // a handler already took the body: nothing left to drain
        }
    }
}
