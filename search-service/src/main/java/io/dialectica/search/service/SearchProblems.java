package io.dialectica.search.service;

import io.dialectica.service.problem.ApiProblem;

import java.util.List;
import java.util.Map;

/** search-service's own problem types; the shared ones (400, 404, 409, …) are in ApiProblem. */
public final class SearchProblems {

    private SearchProblems() {
    }

    /** 504: the projection has not reached the caller's consistency token within the wait: retry shortly. */
    public static ApiProblem projectionBehind(String token, String position, long waitedMs) {
        return new ApiProblem(504, "projection-behind", "Projection behind",
                "the search index has not reached consistency token " + token + " within " + waitedMs
                        + " ms (it is at " + position + "); retry after a second",
                List.of(), Map.of("Retry-After", "1"));
    }

    /** 503: OpenSearch cannot answer; the client may retry. */
    public static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "search-unavailable", "Search unavailable", detail, List.of(),
                Map.of("Retry-After", "5"));
    }
}
