package io.dialectica.service.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An RFC 7807 problem document, the public API's error body: {@code type} is
 * {@code urn:dialectica:problem:<slug>}, {@code errors} names each offending field or parameter,
 * {@code requestId} the request (its {@code X-Request-Id}, the gateway's when it came through the gateway).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance,
        List<ApiProblem.FieldError> errors, String requestId) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_PREFIX = "urn:dialectica:problem:";

    public static Problem of(int status, String slug, String title, String detail, String instance,
            List<ApiProblem.FieldError> errors) {
        return new Problem(TYPE_PREFIX + slug, title, status, detail, instance, errors, null);
    }

    /** The same document naming its request. */
    public Problem withRequestId(String id) {
        return new Problem(type, title, status, detail, instance, errors, id);
    }

    public static Problem of(ApiProblem problem, String instance) {
        return of(problem.status(), problem.slug(), problem.title(), problem.getMessage(), instance, problem.errors());
    }

    /** The response with this document and the problem's headers. */
    public static Response.ResponseBuilder toResponse(ApiProblem problem, String instance) {
        return toResponse(problem, instance, null);
    }

    /** The response with this document, naming its request, and the problem's headers. */
    public static Response.ResponseBuilder toResponse(ApiProblem problem, String instance, String requestId) {
        Response.ResponseBuilder builder = of(problem, instance).withRequestId(requestId).toResponse();
        problem.headers().forEach(builder::header);
        return builder;
    }

    public Response.ResponseBuilder toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this);
    }
}
