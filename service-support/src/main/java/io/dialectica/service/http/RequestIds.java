package io.dialectica.service.http;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The request id: the caller's {@code X-Request-Id} when it is sane (the gateway always sends one), a fresh UUID
 * otherwise. "Sane" keeps ids safe to log and to echo: 1-128 characters of letters, digits and {@code . _ : -},
 * the same rule as the gateway's, so an id the gateway gave a request is kept all the way down.
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
}
