package io.dialectica.gateway.proxy;

import io.dialectica.gateway.observability.GatewayMetrics;
import io.dialectica.gateway.observability.RequestIds;
import io.dialectica.gateway.problem.GatewayProblem;
import io.dialectica.gateway.problem.Problems;
import io.dialectica.gateway.security.BearerAuth;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * {@code GET /api/me/export}: everything the caller owns, as one JSON Lines file. The one {@code /api} path the gateway
 * answers itself rather than routes, because it is two services' data in one answer: concept-service's lines (the
 * caller's concepts), then thesis-service's (their theses and syntheses), then a closing line
 * {@code {"kind":"end","concepts":n,"theses":n,"syntheses":n,...}} counted here from the lines that passed. A file
 * without that line is incomplete.
 *
 * <p>Same admission as a proxied request (token → 401, rate limit → 429: one request of the caller's window). The
 * parts are relayed line by line as they arrive, never buffered whole: a backend's answer is paused whenever the
 * client's write queue is full and resumed when it drains, so the gateway holds at most a chunk, one line and the
 * write queue, whatever the size of the export. Until the first part answers nothing is sent, so a failure there is a
 * proper problem answer (401/503/504/502, or the backend's own problem document); once lines are flowing, a failure
 * (a backend down, slow past its read timeout, or a line that is not JSON) closes the connection, once the lines
 * already written are sent, without the end line.
 */
@ApplicationScoped
public class ExportHandler implements Handler<RoutingContext> {

    public static final String PATH = "/api/me/export";
    /** JSON Lines (jsonlines.org), the media type its .jsonl files go with. */
    static final String JSON_LINES = "application/jsonl";
    /** The parts, in order: a backend and its path answering the caller's lines (not routed, so not public). */
    static final List<Part> PARTS = List.of(
            new Part("concept-service", "/internal/export/concepts"),
            new Part("thesis-service", "/internal/export/results"));
    /** A concept of 500 categories and 2,000 relations is well under 1 MiB as one line. */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(ExportHandler.class);
    private static final String URL_TEMPLATE = "UrlPathTemplate";
    private static final String ROUTE = "me-export";
    private static final String BACKENDS = "concept-service+thesis-service";

    record Part(String backend, String path) {
    }

    /** Lines relayed so far, by kind. */
    static final class Counts {
        long concepts;
        long theses;
        long syntheses;

        void count(Buffer line) {
            String kind = new JsonObject(line).getString("kind");
            switch (kind == null ? "" : kind) {
                case "concept" -> concepts++;
                case "thesis" -> theses++;
                case "synthesis" -> syntheses++;
                default -> throw new IllegalStateException("a line of unknown kind '" + kind + "'");
            }
        }
    }

    private final BearerAuth auth;
    private final RateLimitStep rateLimit;
    private final BackendRegistry backends;
    private final GatewayMetrics metrics;

    public ExportHandler(BearerAuth auth, RateLimitStep rateLimit, BackendRegistry backends, GatewayMetrics metrics) {
        this.auth = auth;
        this.rateLimit = rateLimit;
        this.backends = backends;
        this.metrics = metrics;
    }

    @Override
    public void handle(RoutingContext ctx) {
        new Export(ctx).run();
    }

    /** One export: its request, the context it runs on, what it relayed so far. */
    private final class Export {
        final RoutingContext ctx;
        final Context context = Vertx.currentContext();
        final long start = System.nanoTime();
        final Instant startedAt = Instant.now();
        final Counts counts = new Counts();
        String subject;
        boolean broken;
        /** The last line written: the connection is closed only once it is on the wire. */
        Future<Void> lastWrite = Future.succeededFuture();

        Export(RoutingContext ctx) {
            this.ctx = ctx;
        }

        void run() {
            ContextLocals.put(URL_TEMPLATE, PATH);
            if (ctx.request().method() != HttpMethod.GET) {
                refuse(ctx, new GatewayProblem(405, "http-405", "Method Not Allowed", PATH + " answers GET only")
                        .header("Allow", "GET"), start);
                return;
            }
            auth.subject(ctx)
                    .call(caller -> rateLimit.check(caller)
                            .invoke(decision -> RateLimitStep.headers(ctx.response(), decision)))
                    .invoke(caller -> subject = caller)
                    // the backend's answer calls back on the context that asked: ask from the request's
                    .emitOn(this::onContext)
                    .chain(ignored -> open(PARTS.getFirst()))
                    .emitOn(this::onContext)
                    .subscribe().with(this::begin, failure -> refuse(ctx, failure, start));
        }

        private void onContext(Runnable task) {
            context.runOnContext(ignored -> task.run());
        }

        /** Asks a part's backend for the caller's lines with the caller's own token; the answer comes back paused. */
        private Uni<HttpClientResponse> open(Part part) {
            BackendClient backend = backends.get(part.backend());
            MultiMap headers = ForwardedHeaders.toBackend(ctx.request(), RequestIds.of(ctx));
            // the lines are read here: plain JSON Lines, whatever the client asked of the gateway
            headers.set("Accept", JSON_LINES);
            headers.remove("Accept-Encoding");
            return backend.stream(part.path(), headers).onFailure().transform(failure -> {
                GatewayProblem problem = BackendFailures.toProblem(failure, backend);
                LOG.warnf("GET %s -> %s: %d (%s)", PATH, backend.name(), problem.status(), failure.toString());
                return problem;
            });
        }

        private void begin(HttpClientResponse first) {
            HttpServerResponse response = ctx.response();
            if (response.closed()) {
                first.request().reset();
                return;
            }
            if (first.statusCode() != 200) {
                // nothing sent yet: the backend's refusal (a problem document) is the answer, as the proxy relays it
                relayRefusal(ctx, first, start);
                return;
            }
            response.setStatusCode(200)
                    .setChunked(true)
                    .putHeader("Content-Type", JSON_LINES)
                    .putHeader("Content-Disposition", "attachment; filename=\"" + fileName(subject, startedAt) + "\"")
                    .putHeader("Cache-Control", "no-store");
            relayLines(first, () -> open(PARTS.get(1)).emitOn(this::onContext).subscribe().with(second -> {
                if (second.statusCode() != 200) {
                    if (!ctx.response().headWritten()) {
                        // no line yet (the caller owns no concept): the refusal can still be the answer
                        broken = true;
                        ctx.response().headers().remove("Content-Disposition").remove("Content-Type");
                        relayRefusal(ctx, second, start);
                        return;
                    }
                    second.request().reset();
                    truncate(new IllegalStateException(PARTS.get(1).backend() + " answered " + second.statusCode()));
                    return;
                }
                relayLines(second, this::finish);
            }, this::truncate));
        }

        /**
         * Relays one part's lines: each counted (it must be a JSON object of a known kind) and written with its
         * newline; the backend's answer is paused while the client's write queue is full.
         */
        private void relayLines(HttpClientResponse from, Runnable done) {
            HttpServerResponse to = ctx.response();
            RecordParser lines = RecordParser.newDelimited("\n", line -> {
                if (broken || to.closed()) {
                    return;
                }
                try {
                    counts.count(line);
                } catch (RuntimeException e) {
                    from.request().reset();
                    truncate(e);
                    return;
                }
                lastWrite = to.write(Buffer.buffer(line.length() + 1).appendBuffer(line).appendByte((byte) '\n'));
            }).maxRecordSize(MAX_LINE_BYTES);
            lines.exceptionHandler(e -> {
                from.request().reset();
                truncate(e);
            });
            // the client went away: stop reading the backend
            to.closeHandler(ignored -> from.request().reset());
            from.exceptionHandler(this::truncate);
            from.handler(chunk -> {
                lines.handle(chunk);
                if (!broken && !to.closed() && to.writeQueueFull()) {
                    from.pause();
                    to.drainHandler(ignored -> from.resume());
                }
            });
            from.endHandler(ignored -> {
                to.closeHandler(null);
                to.drainHandler(null);
                if (!broken) {
                    done.run();
                }
            });
            from.resume();
        }

        private void finish() {
            HttpServerResponse response = ctx.response();
            if (response.closed()) {
                return;
            }
            JsonObject end = new JsonObject()
                    .put("kind", "end")
                    .put("concepts", counts.concepts)
                    .put("theses", counts.theses)
                    .put("syntheses", counts.syntheses)
                    .put("user", subject)
                    .put("exportedAt", startedAt.toString());
            response.end(end.encode() + "\n");
            record(ctx, 200, start);
        }

        /** The answer has begun, so its status cannot change: close the connection before the end line. */
        private void truncate(Throwable failure) {
            if (broken) {
                return;
            }
            broken = true;
            LOG.warnf("GET %s: export broken off after its head was sent (%s); the connection is closed without the end line",
                    PATH, failure.toString());
            HttpServerResponse response = ctx.response();
            response.closeHandler(null);
            if (!response.closed() && !response.headWritten()) {
                // nothing sent yet (no line before the failure): still a proper problem answer
                response.headers().remove("Content-Disposition");
                GatewayProblem problem = failure instanceof GatewayProblem known ? known
                        : new GatewayProblem(502, "bad-gateway", "Bad Gateway", "the export could not be completed");
                Problems.send(ctx, problem);
                record(ctx, problem.status(), start);
                return;
            }
            // a close, not a reset: a reset may make the client drop lines it has not read yet; the chunked body
            // simply stops before its last chunk, and before the end line
            lastWrite.onComplete(ignored -> {
                if (!response.closed()) {
                    response.close();
                }
            });
            record(ctx, 502, start);
        }
    }

    private void relayRefusal(RoutingContext ctx, HttpClientResponse answer, long start) {
        HttpServerResponse response = ctx.response();
        answer.body().onComplete(body -> {
            if (response.closed() || response.ended()) {
                return;
            }
            response.setStatusCode(answer.statusCode());
            ForwardedHeaders.toClient(answer.headers(), response.headers());
            if (body.succeeded()) {
                response.end(body.result());
            } else {
                response.end();
            }
            record(ctx, answer.statusCode(), start);
        });
        answer.resume();
    }

    private void refuse(RoutingContext ctx, Throwable failure, long start) {
        GatewayProblem problem;
        if (failure instanceof GatewayProblem known) {
            problem = known;
        } else {
            LOG.errorf(failure, "GET %s failed inside the gateway", PATH);
            problem = new GatewayProblem(500, "internal", "Internal Server Error",
                    "an unexpected error occurred in the gateway; it has been logged");
        }
        Problems.send(ctx, problem);
        record(ctx, problem.status(), start);
    }

    private void record(RoutingContext ctx, int status, long start) {
        String method = ctx.request().method() == HttpMethod.GET ? "GET" : "OTHER";
        metrics.request(ROUTE, BACKENDS, method, status, status < 400 ? "SUCCESS" : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR",
                System.nanoTime() - start);
    }

    /** {@code dialectica-export-<subject>-<UTC date>.jsonl}, the subject reduced to characters safe in a file name. */
    static String fileName(String subject, Instant at) {
        String safe = subject.replaceAll("[^A-Za-z0-9._@-]", "_");
        if (safe.length() > 64) {
            safe = safe.substring(0, 64);
        }
        return "dialectica-export-" + safe + "-" + at.atOffset(ZoneOffset.UTC).toLocalDate() + ".jsonl";
    }
}
