package io.dialectica.search.rest;

import io.dialectica.contracts.ConsistencyToken;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.rest.dto.SearchPage;
import io.dialectica.search.rest.dto.Suggestions;
import io.dialectica.search.service.SearchQuery;
import io.dialectica.search.service.SearchService;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.CallerFactory;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/search")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "search")
@SecurityRequirement(name = "jwt")
public class SearchResource {

    @Inject
    SearchService search;

    @Inject
    CallerFactory callers;

    @Inject
    SearchConfig config;

    @GET
    @Operation(operationId = "searchConcepts", summary = "Search the concepts the caller can see: by words (full text, highlights, facets), by meaning (semantic) or both (hybrid)")
    @APIResponse(responseCode = "200", description = "One page of results with highlights and facets")
    @APIResponse(responseCode = "400", description = "A malformed page, size, mode or consistency token, or no q in mode semantic or hybrid; errors[] names the parameter")
    @APIResponse(responseCode = "503", description = "OpenSearch unreachable (Retry-After)")
    @APIResponse(responseCode = "504", description = "projection-behind: the projection did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<SearchPage> search(
            @Parameter(description = "text searched in names (×3), category names (×2), descriptions, rationales "
                    + "(mode semantic: its meaning); absent: every concept, by name (text mode only)")
            @QueryParam("q") String q,
            @QueryParam("tradition") String tradition,
            @Parameter(description = "category name; repeat it: a concept must include all of them")
            @QueryParam("category") List<String> categories,
            @Parameter(description = "0-based") @QueryParam("page") String page,
            @Parameter(description = "1..100, default 20") @QueryParam("size") String size,
            @Parameter(description = "text (default): words, BM25; semantic: meaning, the cosine similarity of q's "
                    + "vector and each concept's (same model as /similar; score = cosine); hybrid: the best 100 text "
                    + "matches ranked by 0.5 × text score / best + 0.5 × cosine. semantic and hybrid need q",
                    schema = @Schema(type = SchemaType.STRING, enumeration = {"text", "semantic", "hybrid"}))
            @QueryParam("mode") String mode,
            @Parameter(description = "from a concept-service write: answer only once the index includes it")
            @HeaderParam(ConsistencyToken.HEADER) String token) {
        SearchQuery query = SearchQuery.parse(q, tradition, categories, page, size, mode, config.defaultPageSize(),
                config.maxPageSize());
        Long wanted = SearchService.parseToken(token);
        return search.search(callers.current(), query, wanted);
    }

    @GET
    @Path("/suggest")
    @Operation(operationId = "suggestConceptNames", summary = "Names of visible concepts completing a prefix (autocomplete)")
    @APIResponse(responseCode = "200", description = "The suggestions")
    @APIResponse(responseCode = "400", description = "prefix missing or too long, size out of range, or a malformed consistency token; errors[] names the parameter")
    @APIResponse(responseCode = "503", description = "OpenSearch unreachable (Retry-After)")
    @APIResponse(responseCode = "504", description = "projection-behind: the projection did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<Suggestions> suggest(@QueryParam("prefix") String prefix, @QueryParam("size") String size,
            @HeaderParam(ConsistencyToken.HEADER) String token) {
        String normalised = SearchQuery.normalise(prefix);
        if (normalised == null) {
            throw ApiProblem.badRequest("prefix", "is required");
        }
        if (normalised.length() > 100) {
            throw ApiProblem.badRequest("prefix", "must be at most 100 characters");
        }
        int count = parseSize(size);
        Long wanted = SearchService.parseToken(token);
        return search.suggest(callers.current(), normalised, count, wanted);
    }

    private int parseSize(String size) {
        if (size == null || size.isBlank()) {
            return config.defaultSuggestSize();
        }
        try {
            int parsed = Integer.parseInt(size.strip());
            if (parsed < 1 || parsed > config.maxSuggestSize()) {
                throw ApiProblem.badRequest("size", "must be between 1 and " + config.maxSuggestSize());
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("size", "must be an integer");
        }
    }
}
