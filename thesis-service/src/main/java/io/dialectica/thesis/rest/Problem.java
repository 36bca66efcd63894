package io.dialectica.thesis.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dialectica.thesis.service.ApiProblem;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** An RFC 7807 problem document; {@code errors} names each offending field. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance,
        List<ApiProblem.FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String slug, String title, String detail, String instance,
            List<ApiProblem.FieldError> errors) {
        return new Problem("urn:dialectica:problem:" + slug, title, status, detail, instance, errors);
    }

    public Response.ResponseBuilder toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this);
    }
}
