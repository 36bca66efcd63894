package io.dialectica.service.http;

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
import org.jboss.logging.MDC;

import java.util.Map;

/**
 * The HTTP layer's own refusals as problem+json, in every service that depends on service-support:
 *
 * <ul>
 * <li>every request gets its id first ({@link RequestIds}: the gateway's {@code X-Request-Id}, or a fresh one),
 * echoed on the response, put in the logging MDC and in every problem document;</li>
 * <li>a request line over {@code dialectica.http.max-initial-line-length} → 414, headers over
 * {@code dialectica.http.max-header-size} → 431, a declared body over {@code quarkus.http.limits.max-body-size}
 * → 413, each before anything else reads the request (Quarkus' own 413 would be bare and would close the
 * connection while the client is still sending);</li>
 * <li>a path or method no route takes (404, 405, 406, 415, ...) and failures of plain Vert.x routes.</li>
 * </ul>
 *
 * <p>Why the line and header limits are checked here: Netty refuses a request over
 * {@code quarkus.http.limits.max-initial-line-length} / {@code max-header-size} while decoding it, and Vert.x then
 * answers a bare 414/431 that no router handler, filter or Quarkus hook ever sees. So those two are raised to
 * a hard ceiling (64 KiB, {@code META-INF/microprofile-config.properties} of this jar) and the public limits are
 * enforced here. Only a request over the ceiling still gets Vert.x's bare answer.
 */
@ApplicationScoped
public class HttpLayer {

    private static final Logger LOG = Logger.getLogger(HttpLayer.class);

    /** Before every other filter, Quarkus' CORS and its own body-size check (route order -2) included. */
    static final int PRIORITY = 20_000;
    /** Statuses the router answers by itself when no route takes a request. */
    static final int[] UNMATCHED = {400, 404, 405, 406, 413, 414, 415, 431, 501};

    @ConfigProperty(name = "dialectica.http.max-initial-line-length", defaultValue = "4096")
    int maxInitialLineLength;

    @ConfigProperty(name = "dialectica.http.max-header-size", defaultValue = "20K")
    MemorySize maxHeaderSize;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;

    void filters(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    void router(@Observes Router router) {
        for (int status : UNMATCHED) {
            router.errorHandler(status, ctx -> refuse(ctx, status, null));
        }
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String id = RequestIds.accept(request.getHeader(RequestIds.HEADER));
        ctx.put(RequestIds.KEY, id);
        ctx.response().putHeader(RequestIds.HEADER, id);
        MDC.put(RequestIds.KEY, id);

        long line = requestLineLength(request);
        if (line > maxInitialLineLength) {
            refuse(ctx, 414, "the request line has " + line + " bytes; at most " + maxInitialLineLength + " are accepted");
            return;
        }
        long headers = headerBytes(request);
        if (headers > maxHeaderSize.asLongValue()) {
            refuse(ctx, 431, "the request headers have " + headers + " bytes; at most " + maxHeaderSize.asLongValue()
                    + " are accepted");
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && declared(length) > maxBodySize.asLongValue()) {
            refuse(ctx, 413, "the body has " + length.strip() + " bytes; at most " + maxBodySize.asLongValue()
                    + " are accepted");
            return;
        }
        // the REST layer's problem documents (ProblemMappers) read the id from the request
        request.headers().set(RequestIds.HEADER, id);
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
            refuse(ctx, status, failure instanceof HttpException http && http.getPayload() != null ? http.getPayload() : null);
            return;
        }
        LOG.errorf(failure, "Unexpected failure on %s %s", ctx.request().method(), HttpProblems.instance(ctx.request()));
        HttpProblems.send(ctx, 500, "internal", "Internal error", "an unexpected error occurred; it has been logged");
    }

    /** A refusal with its usual slug and title; {@code detail} null for the status' own description. */
    public static void refuse(RoutingContext ctx, int status, String detail) {
        String title = HttpResponseStatus.valueOf(status).reasonPhrase();
        switch (status) {
            case 401 -> HttpProblems.send(ctx, 401, "unauthorized", "Unauthorized",
                    detail != null ? detail : "a valid bearer token is required", Map.of("WWW-Authenticate", "Bearer"));
            case 413 -> HttpProblems.send(ctx, 413, "payload-too-large", "Payload too large",
                    detail != null ? detail : "the body is larger than this server accepts");
            case 414 -> HttpProblems.send(ctx, 414, "uri-too-long", "URI too long",
                    detail != null ? detail : "the request line is longer than this server accepts");
            case 431 -> HttpProblems.send(ctx, 431, "header-fields-too-large", "Request header fields too large",
                    detail != null ? detail : "the request headers are larger than this server accepts");
            default -> HttpProblems.send(ctx, status, "http-" + status, title,
                    detail != null ? detail : describe(status, ctx.request()));
        }
    }

    private static String describe(int status, HttpServerRequest request) {
        return switch (status) {
            case 400 -> "the request cannot be read";
            case 404 -> "nothing is served at this path";
            case 405 -> request.method() + " is not allowed on this path";
            case 406 -> "none of the media types in Accept can be produced here";
            case 415 -> "the Content-Type of this request is not accepted here";
            case 501 -> request.method() + " is not implemented";
            default -> HttpResponseStatus.valueOf(status).reasonPhrase();
        };
    }

    /** "GET " + URI + " HTTP/1.1", as the client sent it. */
    static long requestLineLength(HttpServerRequest request) {
        return request.method().name().length() + 1L + request.uri().length() + 1L + "HTTP/1.1".length();
    }

    /** Each header as its line "name: value", without the line ends. */
    static long headerBytes(HttpServerRequest request) {
        long total = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            total += header.getKey().length() + 2L + header.getValue().length();
        }
        return total;
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
