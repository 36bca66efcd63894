package io.dialectica.gateway.openapi;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the AsyncAPI description of the {@code /ws/jobs} WebSocket ({@code META-INF/jobs-socket.asyncapi.yaml})
 * at {@code /q/asyncapi}, beside the public API's OpenAPI document at {@code /q/openapi}. Public, like it.
 */
@ApplicationScoped
public class AsyncApiRoute {

    static final String PATH = "/q/asyncapi";
    static final String RESOURCE = "META-INF/jobs-socket.asyncapi.yaml";

    void mount(@Observes Router router) {
        Buffer document = Buffer.buffer(load());
        router.get(PATH).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/yaml; charset=utf-8")
                .putHeader("Cache-Control", "public, max-age=300")
                .end(document));
    }

    private static byte[] load() {
        try (InputStream in = AsyncApiRoute.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the gateway's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
