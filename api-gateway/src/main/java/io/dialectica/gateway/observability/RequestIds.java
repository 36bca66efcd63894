package io.dialectica.gateway.observability;

import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The request id: the client's own {@code X-Request-Id} when it is sane, a fresh UUID otherwise.
 * "Sane" keeps ids safe to log and to echo in headers: at most 128 characters of letters, digits
 * and {@code . _ : -} (UUIDs, ULIDs, trace ids and the like).
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    /** Key of the id in the routing context and in the logging MDC. */
    public static final String KEY = "requestId";

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    public static String accept(String offered) {
        return offered != null && SANE.matcher(offered).matches() ? offered : UUID.randomUUID().toString();
    }

    public static String of(RoutingContext ctx) {
        return ctx.get(KEY);
    }
}
