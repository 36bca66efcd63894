package io.dialectica.gateway.proxy;

import io.dialectica.gateway.problem.GatewayProblem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Reads a request body into memory, refusing it with 413 as soon as it grows past the limit
 * (whatever its Content-Length claimed, chunked bodies included). Bodies are small JSON
 * documents here, so buffering keeps the proxy simple and lets a too-large body be refused before
 * the backend sees a byte of it.
 */
final class RequestBody {

    private RequestBody() {
    }

    /** The body, or {@code null} when the request has none (nothing declared, nothing sent). */
    static Uni<Buffer> read(HttpServerRequest request, long limit) {
        boolean declared = request.getHeader("Content-Length") != null || request.getHeader("Transfer-Encoding") != null;
        if (request.isEnded()) {
            return Uni.createFrom().item(declared ? Buffer.buffer() : null);
        }
        return Uni.createFrom().emitter(emitter -> {
            Buffer body = Buffer.buffer();
            boolean[] refused = {false};
            // the client went away or sent garbage mid-body: its fault, not the gateway's
            request.exceptionHandler(failure -> emitter.fail(
                    new GatewayProblem(400, "bad-request", "Bad Request", "the request body could not be read")));
            request.handler(chunk -> {
                if (refused[0]) {
                    return; // keep draining, so the client can read the 413
                }
                if ((long) body.length() + chunk.length() > limit) {
                    refused[0] = true;
                    emitter.fail(GatewayProblem.payloadTooLarge(limit));
                    return;
                }
                body.appendBuffer(chunk);
            });
            request.endHandler(ignored -> {
                if (!refused[0]) {
                    emitter.complete(declared || body.length() > 0 ? body : null);
                }
            });
            request.resume();
            // the checks are passed: now ask a client that waits for it (curl does above 1 KiB) for the body
            if ("100-continue".equalsIgnoreCase(request.getHeader("Expect")) && request.version() != HttpVersion.HTTP_1_0) {
                request.response().writeContinue();
            }
        });
    }
}
