package io.dialectica.thesis.service;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.ApiProblem.FieldError;

import java.util.List;

/** thesis-service's own problem types; the shared ones (400, 404, 409, 422, …) are in ApiProblem. */
public final class ThesisProblems {

    private ThesisProblems() {
    }

    /** 422: the Idempotency-Key was used before, by this user, for a different request. */
    public static ApiProblem idempotencyKeyReused() {
        return new ApiProblem(422, "idempotency-key-reused", "Idempotency key reused",
                "this Idempotency-Key was already used for a different request; use a new key",
                List.of(new FieldError("Idempotency-Key", "already used for a different request")));
    }

    /** 503: a dependency (concept-service) cannot answer: the client may retry later. */
    public static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "dependency-unavailable", "Service unavailable", detail, List.of());
    }
}
