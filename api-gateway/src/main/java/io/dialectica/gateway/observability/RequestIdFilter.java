package io.dialectica.gateway.observability;

import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

/**
 * Gives every request an id before anything else runs (CORS preflights and health checks
 * included), echoes it on the response and puts it in the logging MDC. Quarkus keeps the MDC in
 * the request's Vert.x duplicated context, so log lines written later in the request's
 * asynchronous callbacks carry it too.
 */
@ApplicationScoped
public class RequestIdFilter {

    /** Above Quarkus' own filters (CORS among them), so even a preflight answer carries the id. */
    static final int PRIORITY = 10_000;

    void register(@Observes Filters filters) {
        filters.register(ctx -> {
            String id = RequestIds.accept(ctx.request().getHeader(RequestIds.HEADER));
            ctx.put(RequestIds.KEY, id);
            ctx.response().putHeader(RequestIds.HEADER, id);
            MDC.put(RequestIds.KEY, id);
            ctx.next();
        }, PRIORITY);
    }
}
