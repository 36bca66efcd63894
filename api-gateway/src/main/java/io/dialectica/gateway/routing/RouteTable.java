package io.dialectica.gateway.routing;

import io.dialectica.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The route table: every pattern of every configured route, most specific first. Built once at
 * start; a route naming an unknown backend, a malformed pattern, or the same pattern claimed twice
 * stops the gateway from starting rather than misrouting at run time.
 */
@ApplicationScoped
public class RouteTable {

    /** A pattern of a route, with the backend it leads to. */
    public record Entry(String route, PathPattern pattern, String backend) {
    }

    /** The outcome of a lookup: the route's name and pattern (metrics) and the backend. */
    public record Match(String route, String pattern, String backend) {
    }

    private final List<Entry> entries;

    @Inject
    public RouteTable(GatewayConfig config) {
        this(config.routes(), config.backends().keySet());
    }

    RouteTable(Map<String, GatewayConfig.Route> routes, java.util.Set<String> backends) {
        List<Entry> all = new ArrayList<>();
        routes.forEach((name, route) -> {
            if (!backends.contains(route.backend())) {
                throw new IllegalStateException("gateway.routes." + name + ".backend names '" + route.backend()
                        + "', which is not a configured backend (gateway.backends.*): " + backends);
            }
            for (String path : route.paths()) {
                PathPattern pattern = PathPattern.parse(path);
                for (Entry existing : all) {
                    if (existing.pattern().sameShapeAs(pattern)) {
                        throw new IllegalStateException("path pattern " + pattern + " of route '" + name
                                + "' is also claimed by route '" + existing.route() + "' (" + existing.pattern() + ")");
                    }
                }
                all.add(new Entry(name, pattern, route.backend()));
            }
        });
        all.sort((a, b) -> a.pattern().compareTo(b.pattern()));
        this.entries = List.copyOf(all);
    }

    public Optional<Match> match(String path) {
        for (Entry entry : entries) {
            if (entry.pattern().matches(path)) {
                return Optional.of(new Match(entry.route(), entry.pattern().toString(), entry.backend()));
            }
        }
        return Optional.empty();
    }

    public List<Entry> entries() {
        return entries;
    }
}
