package io.dialectica.gateway.problem;

import io.dialectica.gateway.observability.RequestIds;
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
                .put("instance", ctx.request().path());
        String requestId = RequestIds.of(ctx);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        problem.headers().forEach(response::putHeader);
        response.setStatusCode(problem.status())
                .putHeader("Content-Type", MEDIA_TYPE)
                .putHeader("Cache-Control", "no-store");
        // a refused request may still be sending its body: keep reading it (and dropping it) so the
        // client gets to read this answer instead of a reset connection
        if (!ctx.request().isEnded()) {
            ctx.request().handler(ignored -> { }).resume();
        }
        response.end(body.encode());
    }
}
