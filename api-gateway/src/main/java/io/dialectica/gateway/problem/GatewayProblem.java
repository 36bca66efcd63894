package io.dialectica.gateway.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal the gateway itself produces, carried through the reactive pipeline as a failure and
 * written once, at its end, as an RFC 7807 document ({@link Problems}).
 */
public final class GatewayProblem extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public GatewayProblem(int status, String slug, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public GatewayProblem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static GatewayProblem unauthorized(String detail, String challenge) {
        return new GatewayProblem(401, "unauthorized", "Unauthorized", detail).header("WWW-Authenticate", challenge);
    }

    public static GatewayProblem notFound(String path) {
        return new GatewayProblem(404, "not-found", "Not Found", "no API route matches " + path);
    }

    public static GatewayProblem payloadTooLarge(long limit) {
        return new GatewayProblem(413, "payload-too-large", "Payload too large",
                "the body exceeds the limit of " + limit + " bytes");
    }
}
