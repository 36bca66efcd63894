package io.dialectica.gateway.proxy;

import io.dialectica.gateway.config.GatewayConfig;
import io.dialectica.gateway.observability.GatewayMetrics;
import io.dialectica.gateway.observability.RequestIds;
import io.dialectica.gateway.problem.GatewayProblem;
import io.dialectica.gateway.problem.Problems;
import io.dialectica.gateway.routing.RouteTable;
import io.dialectica.gateway.security.BearerAuth;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;

/**
 * Every {@code /api} request, in order: bearer token (401), declared body size (413), the caller's
 * rate limit (429), the route table (404), the body itself, capped (413), then the backend through
 * its guard, whose answer is relayed as it is. Everything runs on the event loop without blocking;
 * each refusal is a {@link GatewayProblem} written once at the end.
 */
@ApplicationScoped
public class ProxyHandler implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class);
    private static final String NO_ROUTE = "none";
    /** Quarkus' HTTP server metrics take the uri tag from this context local: the route pattern, not the path. */
    private static final String URL_TEMPLATE = "UrlPathTemplate";
    /** One uri tag for every path no route knows, whatever a caller makes up. */
    private static final String UNROUTED_TEMPLATE = "/api/{unrouted}";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final BearerAuth auth;
    private final RateLimitStep rateLimit;
    private final RouteTable routes;
    private final BackendRegistry backends;
    private final GatewayMetrics metrics;
    private final long maxBodyBytes;

    public ProxyHandler(BearerAuth auth, RateLimitStep rateLimit, RouteTable routes, BackendRegistry backends,
            GatewayMetrics metrics, GatewayConfig config) {
        this.auth = auth;
        this.rateLimit = rateLimit;
        this.routes = routes;
        this.backends = backends;
        this.metrics = metrics;
        this.maxBodyBytes = config.maxBodySize().asLongValue();
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // hold the body until the token and the rate limit are settled
        request.pause();
        long start = System.nanoTime();
        Context context = Vertx.currentContext();
        Optional<RouteTable.Match> match = routes.match(ctx.normalizedPath());
        ContextLocals.put(URL_TEMPLATE, match.map(RouteTable.Match::pattern).orElse(UNROUTED_TEMPLATE));

        auth.subject(ctx)
                .invoke(subject -> refuseDeclaredOversize(request))
                .chain(rateLimit::check)
                .invoke(decision -> RateLimitStep.headers(ctx.response(), decision))
                .chain(decision -> forward(ctx, match.orElseThrow(() -> GatewayProblem.notFound(request.path()))))
                // answers may come back on another thread (a timer): write them on the request's context
                .emitOn(task -> context.runOnContext(ignored -> task.run()))
                .subscribe().with(
                        answer -> relay(ctx, answer, match, start),
                        failure -> refuse(ctx, failure, match, start));
    }

    private void refuseDeclaredOversize(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > maxBodyBytes) {
                    throw GatewayProblem.payloadTooLarge(maxBodyBytes);
                }
            } catch (NumberFormatException e) {
                throw new GatewayProblem(400, "bad-request", "Bad Request", "Content-Length is not a number");
            }
        }
    }

    private Uni<HttpResponse<Buffer>> forward(RoutingContext ctx, RouteTable.Match match) {
        HttpServerRequest request = ctx.request();
        BackendClient backend = backends.get(match.backend());
        String query = request.query();
        String target = ctx.normalizedPath() + (query == null || query.isEmpty() ? "" : "?" + query);
        MultiMap headers = MultiMap.newInstance(ForwardedHeaders.toBackend(request, RequestIds.of(ctx)));
        return RequestBody.read(request, maxBodyBytes)
                .chain(body -> backend.send(request.method(), target, headers, body == null ? null : Buffer.newInstance(body))
                        .onFailure().transform(failure -> {
                            GatewayProblem problem = BackendFailures.toProblem(failure, backend);
                            LOG.warnf("%s %s -> %s: %d (%s)", request.method(), request.path(), backend.name(),
                                    problem.status(), failure.toString());
                            return problem;
                        }));
    }

    private void relay(RoutingContext ctx, HttpResponse<Buffer> answer, Optional<RouteTable.Match> match, long start) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return; // the client went away; nothing to tell it
        }
        try {
            response.setStatusCode(answer.statusCode());
            ForwardedHeaders.toClient(answer.headers().getDelegate(), response.headers());
            io.vertx.core.buffer.Buffer body = answer.body() == null ? null : answer.body().getDelegate();
            if (ctx.request().method() == HttpMethod.HEAD) {
                String length = answer.getHeader("Content-Length");
                if (length != null) {
                    response.putHeader("Content-Length", length);
                }
                response.end();
            } else if (body == null) {
                response.end();
            } else {
                response.end(body);
            }
            record(ctx, match, answer.statusCode(), start);
            LOG.debugf("%s %s -> %s: %d", ctx.request().method(), ctx.request().path(),
                    match.map(RouteTable.Match::backend).orElse(NO_ROUTE), answer.statusCode());
        } catch (RuntimeException e) {
            refuse(ctx, e, match, start);
        }
    }

    private void refuse(RoutingContext ctx, Throwable failure, Optional<RouteTable.Match> match, long start) {
        GatewayProblem problem;
        if (failure instanceof GatewayProblem known) {
            problem = known;
        } else {
            LOG.errorf(failure, "%s %s failed inside the gateway", ctx.request().method(), ctx.request().path());
            problem = new GatewayProblem(500, "internal", "Internal Server Error",
                    "an unexpected error occurred in the gateway; it has been logged");
        }
        Problems.send(ctx, problem);
        record(ctx, match, problem.status(), start);
    }

    private void record(RoutingContext ctx, Optional<RouteTable.Match> match, int status, long start) {
        String method = ctx.request().method().name();
        metrics.request(match.map(RouteTable.Match::route).orElse(NO_ROUTE),
                match.map(RouteTable.Match::backend).orElse(NO_ROUTE),
                METHODS.contains(method) ? method : "OTHER", status, outcome(status), System.nanoTime() - start);
    }

    private static String outcome(int status) {
        if (status < 400) {
            return "SUCCESS";
        }
        return status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
    }
}
