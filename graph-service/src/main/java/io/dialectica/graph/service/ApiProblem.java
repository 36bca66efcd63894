package io.dialectica.graph.service;

import java.util.List;
import java.util.Map;

/** A refusal the client can act on, rendered as RFC 7807 problem+json by the REST layer. */
public class ApiProblem extends RuntimeException {

    /** One offending field or parameter. */
    public record FieldError(String field, String message) {
    }

    private final int status;
    private final String slug;
    private final String title;
    private final List<FieldError> errors;
    private final Map<String, String> headers;

    public ApiProblem(int status, String slug, String title, String detail, List<FieldError> errors,
            Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    public static ApiProblem badRequest(String field, String message) {
        return new ApiProblem(400, "bad-request", "Bad request", field + ": " + message,
                List.of(new FieldError(field, message)), Map.of());
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "not-found", "Not found", what, List.of(), Map.of());
    }

    /** The projection has not applied the caller's write within the wait: try again shortly. */
    public static ApiProblem projectionBehind(String token, String waited) {
        return new ApiProblem(504, "projection-behind", "Projection behind",
                "the graph has not caught up with consistency token " + token + " within " + waited
                        + "; retry shortly",
                List.of(), Map.of("Retry-After", "1"));
    }

    public static ApiProblem storeUnavailable() {
        return new ApiProblem(503, "store-unavailable", "Service unavailable",
                "the graph store is unavailable; retry shortly", List.of(), Map.of("Retry-After", "5"));
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

    public List<FieldError> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
