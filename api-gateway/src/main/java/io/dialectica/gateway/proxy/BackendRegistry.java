package io.dialectica.gateway.proxy;

import io.dialectica.gateway.config.GatewayConfig;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The configured backends, each with its client and guard, created once at start. */
@ApplicationScoped
public class BackendRegistry {

    private final Map<String, BackendClient> backends = new LinkedHashMap<>();

    public BackendRegistry(GatewayConfig config, Vertx vertx) {
        new TreeMap<>(config.backends()).forEach((name, backend) -> backends.put(name, new BackendClient(name, backend, vertx)));
    }

    public BackendClient get(String name) {
        BackendClient backend = backends.get(name);
        if (backend == null) {
            // the route table refuses to start with an unknown backend, so this is a bug
            throw new IllegalStateException("no backend named " + name);
        }
        return backend;
    }

    public Collection<BackendClient> all() {
        return backends.values();
    }

    @PreDestroy
    void close() {
        backends.values().forEach(BackendClient::close);
    }
}
