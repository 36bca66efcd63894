package io.dialectica.concept.service;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.ApiProblem.FieldError;

import java.util.List;

/** concept-service's own problem types (optimistic concurrency on a concept); the shared ones are in ApiProblem. */
public final class ConceptProblems {

    private ConceptProblems() {
    }

    public static ApiProblem preconditionFailed(long currentVersion) {
        return new ApiProblem(412, "stale-version", "Precondition failed",
                "If-Match does not match the current version \"" + currentVersion + "\"; GET the concept and retry",
                List.of(new FieldError("If-Match", "stale")));
    }

    public static ApiProblem preconditionRequired() {
        return new ApiProblem(428, "precondition-required", "Precondition required",
                "replacing a concept needs an If-Match header with its current ETag",
                List.of(new FieldError("If-Match", "required")));
    }
}
