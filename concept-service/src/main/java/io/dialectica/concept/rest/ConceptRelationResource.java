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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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
    @Operation(operationId = "listConceptRelations", summary = "The relations of a concept")
    @APIResponse(responseCode = "200", description = "The relations, their ends named")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    public Uni<List<RelationView>> list(@PathParam("id") String id) {
        return relations.list(callers.current(), Ids.parse("id", id));
    }

    @GET
    @Path("/{relationId}")
    @Operation(operationId = "getConceptRelation", summary = "One relation of a concept")
    @APIResponse(responseCode = "200", description = "The relation")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such concept (or one the caller cannot see), or no such relation in it")
    public Uni<RelationView> get(@PathParam("id") String id, @PathParam("relationId") String relationId) {
        return relations.get(callers.current(), Ids.parse("id", id), Ids.parse("relationId", relationId));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "addConceptRelation", summary = "Add a relation between two categories of this concept (named by their names)")
    @APIResponse(responseCode = "201", description = "Added: the relation",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = RelationView.class)),
            headers = {
                    @Header(name = "Location", description = "URL of the new resource", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type, an unknown field or a malformed id")
    @APIResponse(responseCode = "403", description = "The concept is PUBLIC but the caller is not its owner")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "409", description = "The same relation (from, to, type) exists, or a concurrent transaction won (retry)")
    @APIResponse(responseCode = "412", description = "If-Match does not name the concept's current version")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "Invalid content; errors[] names each offending field")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> add(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @Valid RelationInput input) {
        var conceptId = Ids.parse("id", id);
        return relations.add(callers.current(), conceptId, Ids.required(input), ifMatch)
                .map(change -> WriteResponses.created(UriBuilder.fromPath("/api/concepts/{id}/relations/{relationId}")
                        .build(conceptId, change.item().id()), change));
    }

    @DELETE
    @Path("/{relationId}")
    @Operation(operationId = "removeConceptRelation", summary = "Remove a relation")
    @APIResponse(responseCode = "204", description = "Removed",
            headers = {
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "403", description = "The concept is PUBLIC but the caller is not its owner")
    @APIResponse(responseCode = "404", description = "No such concept (or one the caller cannot see), or no such relation in it")
    @APIResponse(responseCode = "409", description = "A concurrent transaction won (deadlock or serialization failure): retry")
    @APIResponse(responseCode = "412", description = "If-Match does not name the concept's current version")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> remove(@PathParam("id") String id, @PathParam("relationId") String relationId,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return relations.remove(callers.current(), Ids.parse("id", id), Ids.parse("relationId", relationId), ifMatch)
                .map(WriteResponses::noContent);
    }
}
