package io.dialectica.concept.rest;

import io.dialectica.concept.rest.dto.HistoryEntryView;
import io.dialectica.concept.rest.dto.PageView;
import io.dialectica.concept.service.HistoryService;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Who changed what: a concept's versions, newest first, as the change stream recorded them (README, "History of a
 * concept"). A root of its own (not a method of ConceptResource) so that {@code /api/concepts/{id}} keeps its one
 * resource.
 */
@Path("/api/concepts/{id}/history")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "concept history")
@SecurityRequirement(name = "jwt")
public class ConceptHistoryResource {

    @Inject
    HistoryService history;

    @Inject
    CallerFactory callers;

    @GET
    @Operation(operationId = "getConceptHistory", summary = "The versions of a concept, newest first: version, time, who, what changed (paged, page from 0)")
    @APIResponse(responseCode = "200", description = "One page of versions: {items, page, size, total, totalPages}")
    @APIResponse(responseCode = "400", description = "A malformed id, page, size or X-Consistency-Token")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see; a deleted concept's history is its owner's and the admins' only")
    @APIResponse(responseCode = "504", description = "projection-behind: the history did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<PageView<HistoryEntryView>> history(
            @PathParam("id") String id,
            @QueryParam("page") String page,
            @Parameter(description = "versions per page, 1 to 100 (default 20)") @QueryParam("size") String size,
            @Parameter(description = "a write's X-Consistency-Token: answer once the history includes that write (waits up to 2 s)")
            @HeaderParam(WriteResponses.CONSISTENCY_TOKEN) String token) {
        return history.history(callers.current(), Ids.parse("id", id), page, size, token);
    }
}
