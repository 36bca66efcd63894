package io.dialectica.concept.rest;

import io.dialectica.concept.rest.dto.ConceptView;
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
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A concept as it was at one version of its history. */
@Path("/api/concepts/{id}/versions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "concept history")
@SecurityRequirement(name = "jwt")
public class ConceptVersionResource {

    @Inject
    HistoryService history;

    @Inject
    CallerFactory callers;

    @GET
    @Path("/{n}")
    @Operation(operationId = "getConceptVersion", summary = "A concept as it was at version n, as GET /api/concepts/{id} answered then")
    @APIResponse(responseCode = "200", description = "The concept at that version",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ConceptView.class)))
    @APIResponse(responseCode = "400", description = "A malformed id, version or X-Consistency-Token")
    @APIResponse(responseCode = "404", description = "No such concept or version (a deletion has no state), or one the caller cannot see")
    @APIResponse(responseCode = "504", description = "projection-behind: the history did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<ConceptView> version(
            @PathParam("id") String id,
            @PathParam("n") String n,
            @Parameter(description = "a write's X-Consistency-Token: answer once the history includes that write (waits up to 2 s)")
            @HeaderParam(WriteResponses.CONSISTENCY_TOKEN) String token) {
        return history.version(callers.current(), Ids.parse("id", id), n, token);
    }
}
