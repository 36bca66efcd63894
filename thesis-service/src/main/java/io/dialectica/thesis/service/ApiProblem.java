package io.dialectica.thesis.service;

import java.util.List;

/**
 * A refusal the client can act on, rendered as RFC 7807 problem+json by the REST layer.
 * Thrown inside a transaction it also rolls the transaction back: a rejected request changes nothing.
 */
public class ApiProblem extends RuntimeException {

    /** One offending field, named by its JSON path (e.g. {@code categories[2].weight}). */
    public record FieldError(String field, String message) {
    }

    private final int status;
    private final String slug;
    private final String title;
    private final List<FieldError> errors;

    public ApiProblem(int status, String slug, String title, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public static ApiProblem badRequest(String field, String message) {
        return new ApiProblem(400, "bad-request", "Bad request", field + ": " + message,
                List.of(new FieldError(field, message)));
    }

    public static ApiProblem invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ApiProblem(422, "validation", "Invalid content", detail, errors);
    }

    public static ApiProblem invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "not-found", "Not found", what + " does not exist", List.of());
    }

    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "Forbidden", detail, List.of());
    }

    public static ApiProblem conflict(String field, String message) {
        return new ApiProblem(409, "conflict", "Conflict", message,
                field == null ? List.of() : List.of(new FieldError(field, message)));
    }

    /** The Idempotency-Key was used before, by this user, for a different request. */
    public static ApiProblem idempotencyKeyReused() {
        return new ApiProblem(422, "idempotency-key-reused", "Idempotency key reused",
                "this Idempotency-Key was already used for a different request; use a new key",
                List.of(new FieldError("Idempotency-Key", "already used for a different request")));
    }

    /** A dependency (concept-service) cannot answer: the client may retry later. */
    public static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "dependency-unavailable", "Service unavailable", detail, List.of());
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
}
