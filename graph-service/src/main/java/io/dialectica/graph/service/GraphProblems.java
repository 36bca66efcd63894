package io.dialectica.graph.service;

import io.dialectica.service.problem.ApiProblem;

import java.util.List;
import java.util.Map;

/** graph-service's own problem types; the shared ones (400, 404, 422, …) are in ApiProblem. */
public final class GraphProblems {

    private GraphProblems() {
    }

    /** 504: the projection has not applied the caller's write within the wait: try again shortly. */
    public static ApiProblem projectionBehind(String token, String waited) {
        return new ApiProblem(504, "projection-behind", "Projection behind",
                "the graph has not caught up with consistency token " + token + " within " + waited
                        + "; retry shortly",
                List.of(), Map.of("Retry-After", "1"));
    }

    /** 503: Neo4j cannot be reached (or dropped the session); the client may retry. */
    public static ApiProblem storeUnavailable() {
        return new ApiProblem(503, "store-unavailable", "Service unavailable",
                "the graph store is unavailable; retry shortly", List.of(), Map.of("Retry-After", "5"));
    }
}
