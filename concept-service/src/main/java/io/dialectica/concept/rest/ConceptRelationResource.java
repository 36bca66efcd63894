package io.dialectica.concept.rest;

import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.concept.service.RelationService;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** One relation of a concept. Changes answer with the concept's new ETag; If-Match is optional here. */
@Path("/api/concepts/{id}/relations")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "concept relations")
@SecurityRequirement(name = "jwt")
public class ConceptRelationResource {

    @Inject
    RelationService relations;

    @Inject
    CallerFactory callers;

    @GET
    @Operation(summary = "The relations of a concept")
    public Uni<List<RelationView>> list(@PathParam("id") String id) {
        return relations.list(callers.current(), Ids.parse("id", id));
    }

    @GET
    @Path("/{relationId}")
    public Uni<RelationView> get(@PathParam("id") String id, @PathParam("relationId") String relationId) {
        return relations.get(callers.current(), Ids.parse("id", id), Ids.parse("relationId", relationId));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a relation between two categories of this concept (named by their names)")
    public Uni<Response> add(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @Valid RelationInput input) {
        var conceptId = Ids.parse("id", id);
        return relations.add(callers.current(), conceptId, Ids.required(input), ifMatch)
                .map(change -> WriteResponses.created(UriBuilder.fromPath("/api/concepts/{id}/relations/{relationId}")
                        .build(conceptId, change.item().id()), change));
    }

    @DELETE
    @Path("/{relationId}")
    @Operation(summary = "Remove a relation")
    public Uni<Response> remove(@PathParam("id") String id, @PathParam("relationId") String relationId,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return relations.remove(callers.current(), Ids.parse("id", id), Ids.parse("relationId", relationId), ifMatch)
                .map(WriteResponses::noContent);
    }
}
