package io.dialectica.thesis.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dialectica.service.http.RequestIds;
import io.dialectica.service.problem.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Renders {@link BudgetExceeded} as problem+json with the budget's members beside the usual ones (RFC 7807
 * extension members): {@code budgetUsd}, {@code spentUsd}, {@code heldUsd}, {@code remainingUsd} (never
 * negative) and {@code resetAt}.
 */
public class BudgetProblemMapper {

    /** The problem document of a refusal for budget. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BudgetProblem(String type, String title, int status, String detail, String instance, String requestId,
            BigDecimal budgetUsd, BigDecimal spentUsd, BigDecimal heldUsd, BigDecimal remainingUsd, Instant resetAt) {
    }

    @ServerExceptionMapper
    public Response budgetExceeded(BudgetExceeded e, UriInfo uri, HttpHeaders headers) {
        BigDecimal remaining = e.budgetUsd().subtract(e.spentUsd()).subtract(e.heldUsd()).max(BigDecimal.ZERO);
        BudgetProblem body = new BudgetProblem(Problem.TYPE_PREFIX + e.slug(), e.title(), e.status(), e.getMessage(),
                uri == null ? null : uri.getRequestUri().getRawPath(),
                headers == null ? null : headers.getHeaderString(RequestIds.HEADER),
                plain(e.budgetUsd()), plain(e.spentUsd()), plain(e.heldUsd()), plain(remaining), e.resetAt());
        Response.ResponseBuilder r = Response.status(e.status()).type(Problem.MEDIA_TYPE).entity(body);
        e.headers().forEach(r::header);
        return r.build();
    }

    private static BigDecimal plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
