package io.dialectica.graph.rest;

import io.dialectica.graph.service.ApiProblem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;
import org.neo4j.driver.exceptions.TransientException;

import java.util.List;

/**
 * Every failure leaves as application/problem+json. Neo4j being unreachable is a 503 with Retry-After;
 * only a genuine bug reaches the last mapper (500), and it is logged.
 */
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
        ApiProblem problem = causeOf(e, ApiProblem.class);
        if (problem != null) {
            return apiProblem(problem, uri);
        }
        if (causeOf(e, ServiceUnavailableException.class) != null || causeOf(e, SessionExpiredException.class) != null
                || causeOf(e, TransientException.class) != null) {
            LOG.warnf("Neo4j unavailable on %s: %s", path(uri), e.getMessage());
            return apiProblem(ApiProblem.storeUnavailable(), uri);
        }
        LOG.errorf(e, "Unexpected failure on %s", path(uri));
        return Problem.of(500, "internal", "Internal error", "an unexpected error occurred; it has been logged",
                path(uri), List.of()).toResponse().build();
    }

    private static Response unauthorized(UriInfo uri) {
        return Problem.of(401, "unauthorized", "Unauthorized", "a valid bearer token is required", path(uri), List.of())
                .toResponse().header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }
}
