package io.dialectica.concept.rest;

import io.dialectica.concept.config.ConceptServiceConfig;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.ConceptSummary;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.PageView;
import io.dialectica.concept.service.ConceptQuery;
import io.dialectica.concept.service.ConceptService;
import io.dialectica.concept.service.ETags;
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
import jakarta.ws.rs.QueryParam;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/concepts")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "concepts")
@SecurityRequirement(name = "jwt")
public class ConceptResource {

    @Inject
    ConceptService concepts;

    @Inject
    CallerFactory callers;

    @Inject
    ConceptServiceConfig config;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createConcept", summary = "Create a whole concept: fields, categories and relations in one transaction")
    @APIResponse(responseCode = "201", description = "Created: the concept",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ConceptView.class)),
            headers = {
                    @Header(name = "Location", description = "URL of the new resource", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type, an unknown field or a malformed id")
    @APIResponse(responseCode = "409", description = "A concurrent transaction won (deadlock or serialization failure): retry")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "Invalid content; errors[] names each offending field")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> create(@Valid ConceptInput input) {
        return concepts.create(callers.current(), Ids.required(input))
                .map(change -> WriteResponses.created(
                        UriBuilder.fromPath("/api/concepts/{id}").build(change.item().id()), change));
    }

    @GET
    @Operation(operationId = "listConcepts", summary = "List the concepts the caller can see, filtered, paged (page from 0) and sorted")
    @APIResponse(responseCode = "200", description = "One page of summaries")
    @APIResponse(responseCode = "400", description = "A malformed query parameter (page, size, sort)")
    public Uni<PageView<ConceptSummary>> list(
            @QueryParam("tradition") String tradition,
            @QueryParam("owner") String owner,
            @Parameter(description = "text searched in name and description") @QueryParam("q") String text,
            @QueryParam("page") String page,
            @QueryParam("size") String size,
            @Parameter(description = "name, createdAt or updatedAt; prefix '-' for descending (default -updatedAt)")
            @QueryParam("sort") String sort) {
        ConceptQuery query = ConceptQuery.parse(tradition, owner, text, page, size, sort, config.defaultPageSize(),
                config.maxPageSize());
        return concepts.list(callers.current(), query);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getConcept", summary = "Read a concept with its categories and relations; ETag is its version")
    @APIResponse(responseCode = "200", description = "The concept",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ConceptView.class)),
            headers = @Header(name = "ETag", description = "The concept's version, quoted", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "304", description = "If-None-Match names the current version")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    public Uni<Response> get(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return concepts.get(callers.current(), Ids.parse("id", id)).map(view -> {
            if (ifNoneMatch != null && ETags.matches(ifNoneMatch, view.version())) {
                return Response.notModified(WriteResponses.etag(view.version())).build();
            }
            return Response.ok(view).tag(WriteResponses.etag(view.version())).build();
        });
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceConcept", summary = "Replace a concept; If-Match with its current ETag is required")
    @APIResponse(responseCode = "200", description = "The concept as replaced",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ConceptView.class)),
            headers = {
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type, an unknown field or a malformed id")
    @APIResponse(responseCode = "403", description = "The concept is PUBLIC but the caller is not its owner")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "409", description = "A concurrent transaction won (deadlock or serialization failure): retry")
    @APIResponse(responseCode = "412", description = "If-Match does not name the concept's current version")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "Invalid content; errors[] names each offending field")
    @APIResponse(responseCode = "428", description = "If-Match is missing")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> replace(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @Valid ConceptInput input) {
        return concepts.replace(callers.current(), Ids.parse("id", id), Ids.required(input), ifMatch)
                .map(WriteResponses::ok);
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteConcept", summary = "Delete a concept (its memberships and relations go with it; shared categories stay)")
    @APIResponse(responseCode = "204", description = "Deleted",
            headers = {
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "403", description = "The concept is PUBLIC but the caller is not its owner")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "409", description = "A concurrent transaction won (deadlock or serialization failure): retry")
    @APIResponse(responseCode = "412", description = "If-Match does not name the concept's current version")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> delete(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return concepts.delete(callers.current(), Ids.parse("id", id), ifMatch)
                .map(WriteResponses::deleted);
    }
}
