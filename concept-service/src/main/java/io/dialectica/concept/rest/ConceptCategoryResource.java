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
    @Operation(summary = "The categories of a concept")
    public Uni<List<CategoryView>> list(@PathParam("id") String id) {
        return memberships.list(callers.current(), Ids.parse("id", id));
    }

    @GET
    @Path("/{categoryId}")
    public Uni<CategoryView> get(@PathParam("id") String id, @PathParam("categoryId") String categoryId) {
        return memberships.get(callers.current(), Ids.parse("id", id), Ids.parse("categoryId", categoryId));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a category (shared by canonical name) to a concept; 409 if it is already there")
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
    @Operation(summary = "Change a category's weight or canvas position in this concept (absent fields stay)")
    public Uni<Response> update(@PathParam("id") String id, @PathParam("categoryId") String categoryId,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, @Valid MembershipUpdate update) {
        return memberships.update(callers.current(), Ids.parse("id", id), Ids.parse("categoryId", categoryId),
                        Ids.required(update), ifMatch)
                .map(WriteResponses::ok);
    }

    @DELETE
    @Path("/{categoryId}")
    @Operation(summary = "Remove a category from this concept, with the relations touching it")
    public Uni<Response> remove(@PathParam("id") String id, @PathParam("categoryId") String categoryId,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return memberships.remove(callers.current(), Ids.parse("id", id), Ids.parse("categoryId", categoryId), ifMatch)
                .map(WriteResponses::noContent);
    }
}
