package io.dialectica.gateway.proxy;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Mounts the proxy on {@code /api} and everything under it. It is a plain Vert.x route (no JAX-RS,
 * no body handler), so the request body streams into {@link RequestBody} under its cap.
 */
@ApplicationScoped
public class ApiRoutes {

    void mount(@Observes Router router, ProxyHandler proxy) {
        router.route().pathRegex("/api(/.*)?").handler(proxy);
    }
}
