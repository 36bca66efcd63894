package io.dialectica.thesis.rest;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.thesis.service.JobService;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

/** 202 Accepted with the job for a new job; 200 with the same job for a replayed Idempotency-Key. */
final class JobResponses {

    static final String REPLAYED = "Idempotent-Replayed";
    private static final int MAX_KEY = 200;

    private JobResponses() {
    }

    static Response created(JobService.Created created) {
        Response.ResponseBuilder builder = created.replayed()
                ? Response.ok(created.job()).header(REPLAYED, "true")
                : Response.accepted(created.job());
        return builder.location(UriBuilder.fromPath("/api/jobs/{id}").build(created.job().id())).build();
    }

    /** An Idempotency-Key is 1–200 visible ASCII characters (a UUID is typical). */
    static String idempotencyKey(String key) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > MAX_KEY || !key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw ApiProblem.badRequest("Idempotency-Key", "must be 1 to " + MAX_KEY + " visible ASCII characters");
        }
        return key;
    }
}
