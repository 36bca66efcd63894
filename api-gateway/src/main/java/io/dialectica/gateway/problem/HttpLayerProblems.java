package io.dialectica.gateway.problem;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * The HTTP layer's own refusals as problem+json, for every path (the proxy answers its own under {@code /api}):
 *
 * <ul>
 * <li>a request line over {@code dialectica.http.max-initial-line-length} → 414 {@code uri-too-long}, headers over
 * {@code dialectica.http.max-header-size} → 431 {@code header-fields-too-large}, a declared body over
 * {@code quarkus.http.limits.max-body-size} → 413 {@code payload-too-large}: checked right after the request
 * got its id, before Quarkus' own body-size check (route order -2), which answers bare and closes the connection
 * while the client is still sending;</li>
 * <li>a path or method no route takes → 404 {@code not-found}, 405/406/415/... {@code http-<status>};</li>
 * <li>a failure of a plain Vert.x route (health, metrics, OpenAPI) → its 4xx, or 500 {@code internal}, logged.</li>
 * </ul>
 *
 * <p>Netty refuses a request line or header section over {@code quarkus.http.limits.max-initial-line-length} /
 * {@code max-header-size} while decoding it, and Vert.x then answers a bare 414/431 that no handler or Quarkus hook
 * sees. Those two are therefore set to a hard ceiling (64 KiB, application.properties) and the public limits are
 * enforced here; only a request over the ceiling still gets Vert.x's bare answer. Services behind the gateway do
 * the same with service-support's {@code HttpLayer}.
 */
@ApplicationScoped
public class HttpLayerProblems {

    private static final Logger LOG = Logger.getLogger(HttpLayerProblems.class);

    /** Right after {@code RequestIdFilter} (10 000): the refusal carries the request id. */
    static final int PRIORITY = 9_999;
    /** Statuses the router answers by itself when no route takes a request. */
    static final int[] UNMATCHED = {400, 404, 405, 406, 413, 414, 415, 431, 501};

    @ConfigProperty(name = "dialectica.http.max-initial-line-length", defaultValue = "4096")
    int maxInitialLineLength;

    @ConfigProperty(name = "dialectica.http.max-header-size", defaultValue = "16K")
    MemorySize maxHeaderSize;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;

    void filters(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    void router(@Observes Router router) {
        for (int status : UNMATCHED) {
            router.errorHandler(status, ctx -> Problems.send(ctx, of(status, null, ctx.request())));
        }
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long line = request.method().name().length() + 1L + request.uri().length() + 1L + "HTTP/1.1".length();
        if (line > maxInitialLineLength) {
            Problems.send(ctx, of(414, "the request line has " + line + " bytes; at most " + maxInitialLineLength
                    + " are accepted", request));
            return;
        }
        long headers = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headers += header.getKey().length() + 2L + header.getValue().length();
        }
        if (headers > maxHeaderSize.asLongValue()) {
            Problems.send(ctx, of(431, "the request headers have " + headers + " bytes; at most "
                    + maxHeaderSize.asLongValue() + " are accepted", request));
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && declared(length) > maxBodySize.asLongValue()) {
            Problems.send(ctx, GatewayProblem.payloadTooLarge(maxBodySize.asLongValue()));
            return;
        }
        ctx.next();
    }

    void failed(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                || failure instanceof ForbiddenException || failure instanceof AuthenticationRedirectException
                || failure instanceof AuthenticationCompletionException) {
            ctx.next(); // Quarkus' security handlers answer these with their challenge
            return;
        }
        int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
        if (status >= 400 && status < 500) {
            Problems.send(ctx, of(status, null, ctx.request()));
            return;
        }
        LOG.errorf(failure, "%s %s failed inside the gateway", ctx.request().method(), Problems.instance(ctx.request()));
        Problems.send(ctx, new GatewayProblem(500, "internal", "Internal Server Error",
                "an unexpected error occurred in the gateway; it has been logged"));
    }

    static GatewayProblem of(int status, String detail, HttpServerRequest request) {
        return switch (status) {
            case 404 -> new GatewayProblem(404, "not-found", "Not Found",
                    detail != null ? detail : "nothing is served at this path");
            case 413 -> new GatewayProblem(413, "payload-too-large", "Payload too large",
                    detail != null ? detail : "the body is larger than the gateway accepts");
            case 414 -> new GatewayProblem(414, "uri-too-long", "URI too long",
                    detail != null ? detail : "the request line is longer than the gateway accepts");
            case 431 -> new GatewayProblem(431, "header-fields-too-large", "Request header fields too large",
                    detail != null ? detail : "the request headers are larger than the gateway accepts");
            default -> new GatewayProblem(status, "http-" + status, HttpResponseStatus.valueOf(status).reasonPhrase(),
                    detail != null ? detail : describe(status, request));
        };
    }

    private static String describe(int status, HttpServerRequest request) {
        return switch (status) {
            case 400 -> "the request cannot be read";
            case 405 -> request.method() + " is not allowed on this path";
            case 406 -> "none of the media types in Accept can be produced here";
            case 415 -> "the Content-Type of this request is not accepted here";
            case 501 -> request.method() + " is not implemented";
            default -> HttpResponseStatus.valueOf(status).reasonPhrase();
        };
    }

    /** A malformed Content-Length never gets here: Netty refuses the request while decoding it. */
    private static long declared(String length) {
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
