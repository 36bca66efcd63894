package io.dialectica.search.rest;

import io.dialectica.search.index.OpenSearchException;
import io.dialectica.search.service.ApiProblem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** Every failure leaves as application/problem+json; only a genuine bug reaches the last mapper (500, logged). */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem, UriInfo uri) {
        Response.ResponseBuilder builder = Problem.of(problem.status(), problem.slug(), problem.title(),
                problem.getMessage(), path(uri), problem.errors()).toResponse();
        problem.headers().forEach(builder::header);
        return builder.build();
    }

    @ServerExceptionMapper
    public Response openSearch(OpenSearchException e, UriInfo uri) {
        LOG.warnf("OpenSearch failed on %s: %s", path(uri), e.getMessage());
        return apiProblem(ApiProblem.unavailable("the search index is not reachable; retry shortly"), uri);
    }

    @ServerExceptionMapper
    public Response unauthenticated(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problem.of(403, "forbidden", "Forbidden", "not allowed for this user", path(uri), List.of())
                .toResponse().build();
    }

    /** Framework refusals: unknown path (404), wrong method (405), media types (406/415). */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e, uri);
        }
        Response.ResponseBuilder builder = Problem.of(status.getStatusCode(), "http-" + status.getStatusCode(),
                status.getReasonPhrase(), e.getMessage(), path(uri), List.of()).toResponse();
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        if (allow != null) {
            builder.header(HttpHeaders.ALLOW, allow);
        }
        return builder.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ApiProblem problem && t != e) {
                return apiProblem(problem, uri);
            }
            if (t instanceof OpenSearchException os && t != e) {
                return openSearch(os, uri);
            }
        }
        LOG.errorf(e, "Unexpected failure on %s", path(uri));
        return Problem.of(500, "internal", "Internal error", "an unexpected error occurred; it has been logged",
                path(uri), List.of()).toResponse().build();
    }

    private static Response unauthorized(UriInfo uri) {
        return Problem.of(401, "unauthorized", "Unauthorized", "a valid bearer token is required", path(uri), List.of())
                .toResponse().header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }
}
