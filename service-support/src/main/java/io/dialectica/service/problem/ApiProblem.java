package io.dialectica.service.problem;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.Map;

/**
 * A refusal the client can act on, rendered as RFC 7807 problem+json ({@link Problem}) by {@link ProblemMappers}.
 * Thrown inside a transaction it also rolls the transaction back: a rejected request changes nothing.
 *
 * <p>The factories here are the problem types every service shares (same slug, same status everywhere);
 * a service builds its own types with the constructor, e.g. graph-service's 504 {@code projection-behind}.
 */
public class ApiProblem extends RuntimeException {

    /** One offending field or parameter, named by its JSON path (e.g. {@code categories[2].weight}). */
    @RegisterForReflection
    public record FieldError(String field, String message) {
    }

    private final int status;
    private final String slug;
    private final String title;
    private final List<FieldError> errors;
    private final Map<String, String> headers;

    public ApiProblem(int status, String slug, String title, String detail, List<FieldError> errors) {
        this(status, slug, title, detail, errors, Map.of());
    }

    /** @param headers sent with the problem, e.g. {@code Retry-After} on a 503 or 504 */
    public ApiProblem(int status, String slug, String title, String detail, List<FieldError> errors,
            Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    /** 400 {@code bad-request}: a parameter, header or body that cannot be read at all. */
    public static ApiProblem badRequest(String field, String message) {
        return new ApiProblem(400, "bad-request", "Bad request", field + ": " + message,
                List.of(new FieldError(field, message)));
    }

    /** 422 {@code validation}: readable content that breaks the rules. */
    public static ApiProblem invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ApiProblem(422, "validation", "Invalid content", detail, errors);
    }

    public static ApiProblem invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    /** 404 {@code not-found}; {@code what} names it: "concept 0b7…" → "concept 0b7… does not exist". */
    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "not-found", "Not found", what + " does not exist", List.of());
    }

    /** 403 {@code forbidden}: authenticated, but not allowed to do this. */
    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "Forbidden", detail, List.of());
    }

    /** 409 {@code conflict}; {@code field} may be null when no single field is at fault. */
    public static ApiProblem conflict(String field, String message) {
        return new ApiProblem(409, "conflict", "Conflict", message,
                field == null ? List.of() : List.of(new FieldError(field, message)));
    }

    /**
     * A constraint the database enforced (SQLSTATE class 23 or 22), e.g. because a concurrent request won
     * the race to it: still the client's answer, 409 for a unique violation, a serialization failure or a
     * deadlock (the transaction was rolled back whole; retrying is safe), 422 for the rest.
     *
     * @return null when the state is not a constraint violation (a failure of the service, not the request)
     */
    public static ApiProblem ofConstraint(String sqlState, String message) {
        String state = sqlState == null ? "" : sqlState;
        // unique violation, serialization failure, deadlock: a concurrent request got there first
        if (state.equals("23505") || state.equals("40001") || state.equals("40P01")) {
            return conflict(null, "a concurrent change conflicts with this one; retry");
        }
        if (state.startsWith("23") || state.startsWith("22")) {
            return invalid("body", "violates a data constraint: " + message);
        }
        return null;
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
