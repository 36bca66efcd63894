package io.dialectica.gateway.proxy;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Mounts the export ({@link ExportHandler}, the one {@code /api} path the gateway answers itself) and then the proxy on
 * {@code /api} and everything under it. Both are plain Vert.x routes (no JAX-RS, no body handler), so a request body
 * streams into {@link RequestBody} under its cap and an export streams out line by line.
 */
@ApplicationScoped
public class ApiRoutes {

    void mount(@Observes Router router, ExportHandler export, ProxyHandler proxy) {
        // first: a route matches in the order it was added
        router.route(ExportHandler.PATH).handler(export);
        router.route().pathRegex("/api(/.*)?").handler(proxy);
    }
}
