package io.dialectica.service.http;

import io.dialectica.service.problem.Problem;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * Writes a problem+json answer at the Vert.x level, for the refusals that happen before (or outside) the
 * REST layer: the request line, headers or declared body over the limits, paths and methods no route takes,
 * failures of plain Vert.x routes. Same document as {@link Problem} ({@code type}, {@code title},
 * {@code status}, {@code detail}, {@code instance}, {@code requestId}).
 */
public final class HttpProblems {

    /** Most bytes of a refused body read and dropped; past that the connection is closed instead. */
    static final long DRAIN_LIMIT = 64L * 1024 * 1024;
    /** A refused URI can be tens of KiB long: {@code instance} keeps its first 256 characters. */
    static final int MAX_INSTANCE_LENGTH = 256;

    private HttpProblems() {
    }

    public static void send(RoutingContext ctx, int status, String slug, String title, String detail) {
        send(ctx, status, slug, title, detail, Map.of());
    }

    public static void send(RoutingContext ctx, int status, String slug, String title, String detail,
            Map<String, String> headers) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed() || response.headWritten()) {
            return;
        }
        JsonObject body = new JsonObject()
                .put("type", Problem.TYPE_PREFIX + slug)
                .put("title", title)
                .put("status", status)
                .put("detail", detail)
                .put("instance", instance(ctx.request()));
        String requestId = requestId(ctx);
        if (requestId != null) {
            body.put("requestId", requestId);
            response.putHeader(RequestIds.HEADER, requestId);
        }
        headers.forEach(response::putHeader);
        response.setStatusCode(status)
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Cache-Control", "no-store");
        finishReading(ctx.request(), response);
        response.end(body.encode());
    }

    /** The id {@link HttpLayer} gave the request, or null when it never got that far. */
    public static String requestId(RoutingContext ctx) {
        Object id = ctx.get(RequestIds.KEY);
        return id instanceof String s ? s : null;
    }

    /** The path (no query), cut at {@link #MAX_INSTANCE_LENGTH} characters. */
    static String instance(HttpServerRequest request) {
        String path = request.path();
        if (path == null) {
            return null;
        }
        return path.length() <= MAX_INSTANCE_LENGTH ? path : path.substring(0, MAX_INSTANCE_LENGTH) + "...";
    }

    /**
     * An answer given before the body was read must not leave the client writing into a closed connection: it
     * would see a broken pipe or a reset instead of the answer. A client that waits for {@code 100-continue} has
     * sent nothing, so the connection is closed once the answer is written (RFC 9110 §10.1.1); any other body is
     * read to its end and dropped (up to {@link #DRAIN_LIMIT}), and the connection stays usable.
     */
    static void finishReading(HttpServerRequest request, HttpServerResponse response) {
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
