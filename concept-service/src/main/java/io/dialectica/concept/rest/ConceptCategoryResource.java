package io.dialectica.concept.rest;

import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.MembershipUpdate;
import io.dialectica.concept.service.MembershipService;
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
import jakarta.ws.rs.PUT;
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

/** One category of a concept. Changes answer with the concept's new ETag; If-Match is optional here. */
@Path("/api/concepts/{id}/categories")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "concept categories")
@SecurityRequirement(name = "jwt")
public class ConceptCategoryResource {

    @Inject
    MembershipService memberships;

    @Inject
    CallerFactory callers;

    @GET
    @Operation(operationId = "listConceptCategories", summary = "The categories of a concept")
    @APIResponse(responseCode = "200", description = "The categories with their weight and position")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    public Uni<List<CategoryView>> list(@PathParam("id") String id) {
        return memberships.list(callers.current(), Ids.parse("id", id));
    }

    @GET
    @Path("/{categoryId}")
    @Operation(operationId = "getConceptCategory", summary = "One category of a concept")
    @APIResponse(responseCode = "200", description = "The category with its weight and position in this concept")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such concept (or one the caller cannot see), or the category is not in it")
    public Uni<CategoryView> get(@PathParam("id") String id, @PathParam("categoryId") String categoryId) {
        return memberships.get(callers.current(), Ids.parse("id", id), Ids.parse("categoryId", categoryId));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "addConceptCategory", summary = "Add a category (shared by canonical name) to a concept; 409 if it is already there")
    @APIResponse(responseCode = "201", description = "Added: the category",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = CategoryView.class)),
            headers = {
                    @Header(name = "Location", description = "URL of the new resource", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type, an unknown field or a malformed id")
    @APIResponse(responseCode = "403", description = "The concept is PUBLIC but the caller is not its owner")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "409", description = "The category is already in the concept, or a concurrent transaction won (retry)")
    @APIResponse(responseCode = "412", description = "If-Match does not name the concept's current version")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "Invalid content; errors[] names each offending field")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> add(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @Valid CategoryInput input) {
        var conceptId = Ids.parse("id", id);
        return memberships.add(callers.current(), conceptId, Ids.required(input), ifMatch)
                .map(change -> WriteResponses.created(UriBuilder.fromPath("/api/concepts/{id}/categories/{categoryId}")
                        .build(conceptId, change.item().id()), change));
    }

    @PUT
    @Path("/{categoryId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateConceptCategory", summary = "Change a category's weight or canvas position in this concept (absent fields stay)")
    @APIResponse(responseCode = "200", description = "The category as changed",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = CategoryView.class)),
            headers = {
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type, an unknown field or a malformed id")
    @APIResponse(responseCode = "403", description = "The concept is PUBLIC but the caller is not its owner")
    @APIResponse(responseCode = "404", description = "No such concept (or one the caller cannot see), or the category is not in it")
    @APIResponse(responseCode = "409", description = "A concurrent transaction won (deadlock or serialization failure): retry")
    @APIResponse(responseCode = "412", description = "If-Match does not name the concept's current version")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "Invalid content; errors[] names each offending field")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> update(@PathParam("id") String id, @PathParam("categoryId") String categoryId,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, @Valid MembershipUpdate update) {
        return memberships.update(callers.current(), Ids.parse("id", id), Ids.parse("categoryId", categoryId),
                        Ids.required(update), ifMatch)
                .map(WriteResponses::ok);
    }

    @DELETE
    @Path("/{categoryId}")
    @Operation(operationId = "removeConceptCategory", summary = "Remove a category from this concept, with the relations touching it")
    @APIResponse(responseCode = "204", description = "Removed",
            headers = {
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "403", description = "The concept is PUBLIC but the caller is not its owner")
    @APIResponse(responseCode = "404", description = "No such concept (or one the caller cannot see), or the category is not in it")
    @APIResponse(responseCode = "409", description = "A concurrent transaction won (deadlock or serialization failure): retry")
    @APIResponse(responseCode = "412", description = "If-Match does not name the concept's current version")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> remove(@PathParam("id") String id, @PathParam("categoryId") String categoryId,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return memberships.remove(callers.current(), Ids.parse("id", id), Ids.parse("categoryId", categoryId), ifMatch)
                .map(WriteResponses::noContent);
    }
}
