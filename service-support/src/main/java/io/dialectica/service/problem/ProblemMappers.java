package io.dialectica.service.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.dialectica.service.http.RequestIds;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every failure leaves as application/problem+json with the status that tells the client what to do:
 * {@link ApiProblem}s, bean-validation violations (422), unreadable JSON (400), a number field holding
 * anything but a JSON number and text the strict reader refuses (422, see {@link InvalidTextException}),
 * authentication (401/403), the framework's own refusals (404, 405, 406, 415), and whatever a service's
 * {@link FailureTranslator}s recognise (a database constraint, an unreachable store). Only a genuine bug
 * reaches the last mapper (500), and it is logged. Every document names its request ({@code requestId}, from
 * the {@code X-Request-Id} that {@link io.dialectica.service.http.HttpLayer} settled before the REST layer ran).
 */
@Singleton
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @Inject
    Instance<FailureTranslator> translators;

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem, UriInfo uri, HttpHeaders headers) {
        return Problem.toResponse(problem, path(uri), requestId(headers)).build();
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri, HttpHeaders headers) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            errors.add(new ApiProblem.FieldError(fieldOf(violation.getPropertyPath()), violation.getMessage()));
        }
        errors.sort(Comparator.comparing(ApiProblem.FieldError::field));
        return apiProblem(ApiProblem.invalid(errors), uri, headers);
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e, UriInfo uri, HttpHeaders headers) {
        String field = jsonField(e);
        if (!field.equals("body")) {
            // readable JSON, but a value its field cannot hold: invalid content, named like a range violation
            if (e instanceof InvalidTextException text) {
                return apiProblem(ApiProblem.invalid(field, text.reason()), uri, headers);
            }
            if (e instanceof MismatchedInputException mismatch && isNumber(mismatch.getTargetType())) {
                return apiProblem(ApiProblem.invalid(field, isInteger(mismatch.getTargetType())
                        ? "must be an integer" : "must be a number"), uri, headers);
            }
        }
        return apiProblem(ApiProblem.badRequest(field, jsonMessage(e)), uri, headers);
    }

    static boolean isNumber(Class<?> type) {
        return type != null && (Number.class.isAssignableFrom(type) || type == double.class || type == float.class
                || isInteger(type));
    }

    static boolean isInteger(Class<?> type) {
        return type == int.class || type == long.class || type == short.class || type == byte.class
                || type == Integer.class || type == Long.class || type == Short.class || type == Byte.class
                || type == java.math.BigInteger.class;
    }

    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, UriInfo uri, HttpHeaders headers) {
        return unreadableJson(e, uri, headers);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e, UriInfo uri, HttpHeaders headers) {
        return unreadableJson(e, uri, headers);
    }

    @ServerExceptionMapper
    public Response unauthenticated(AuthenticationFailedException e, UriInfo uri, HttpHeaders headers) {
        return unauthorized(uri, headers);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri, HttpHeaders headers) {
        return unauthorized(uri, headers);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, HttpHeaders headers) {
        return Problem.of(403, "forbidden", "Forbidden", "not allowed for this user", path(uri), List.of())
                .withRequestId(requestId(headers)).toResponse().build();
    }

    /** Framework refusals: unknown path (404), wrong method (405), media types (406/415), bad params. */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri, HttpHeaders headers) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadableJson(json, uri, headers);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e, uri, headers);
        }
        Response.ResponseBuilder builder = Problem.of(status.getStatusCode(), "http-" + status.getStatusCode(),
                status.getReasonPhrase(), e.getMessage(), path(uri), List.of()).withRequestId(requestId(headers)).toResponse();
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        if (allow != null) {
            builder.header(HttpHeaders.ALLOW, allow);
        }
        return builder.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri, HttpHeaders headers) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiProblem problem && t != e) {
                return apiProblem(problem, uri, headers);
            }
            for (FailureTranslator translator : translators) {
                ApiProblem problem = translator.translate(t);
                if (problem != null) {
                    return apiProblem(problem, uri, headers);
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        LOG.errorf(e, "Unexpected failure on %s", path(uri));
        return Problem.of(500, "internal", "Internal error", "an unexpected error occurred; it has been logged",
                path(uri), List.of()).withRequestId(requestId(headers)).toResponse().build();
    }

    private static Response unauthorized(UriInfo uri, HttpHeaders headers) {
        return Problem.of(401, "unauthorized", "Unauthorized", "a valid bearer token is required", path(uri), List.of())
                .withRequestId(requestId(headers)).toResponse().header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static String requestId(HttpHeaders headers) {
        return headers == null ? null : headers.getHeaderString(RequestIds.HEADER);
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }

    /** "create.input.categories[0].weight" → "categories[0].weight"; query parameters keep their name. */
    static String fieldOf(Path path) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.METHOD || node.getKind() == ElementKind.PARAMETER) {
                continue;
            }
            // the index belongs to the list this node sits in: categories[0].weight
            if (node.isInIterable() && node.getIndex() != null) {
                field.append('[').append(node.getIndex()).append(']');
            }
            if (node.getKind() != ElementKind.CONTAINER_ELEMENT && node.getName() != null) {
                if (field.length() > 0) {
                    field.append('.');
                }
                field.append(node.getName());
            }
        }
        return field.length() == 0 ? "body" : field.toString();
    }

    private static String jsonField(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
            return "body";
        }
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference ref : mapping.getPath()) {
            if (ref.getFieldName() != null) {
                if (field.length() > 0) {
                    field.append('.');
                }
                field.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                field.append('[').append(ref.getIndex()).append(']');
            }
        }
        return field.length() == 0 ? "body" : field.toString();
    }

    private static String jsonMessage(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + unknown.getPropertyName() + "'";
        }
        if (e instanceof InvalidFormatException format) {
            return "cannot read " + describe(format.getValue()) + " as " + typeName(format.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "expected " + typeName(mismatch.getTargetType());
        }
        if (e instanceof JsonParseException) {
            return "malformed JSON: " + e.getOriginalMessage();
        }
        return "unreadable JSON: " + e.getOriginalMessage();
    }

    private static String describe(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "a value of another type";
        }
        if (type.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                names.add(constant.toString());
            }
            return "one of " + names;
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == int.class || type == long.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        return "an object";
    }
}
