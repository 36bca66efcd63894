package io.dialectica.concept.rest;

import io.dialectica.concept.formats.Format;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.ImportPreview;
import io.dialectica.concept.service.ConceptService;
import io.dialectica.concept.service.ConceptTransfer;
import io.dialectica.concept.service.ETags;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A concept as a file of another tool (JSON Canvas, GraphML, Argdown, AIF), and such a file as a new concept (docs/formats.md). */
@Path("/api/concepts")
@Authenticated
@Tag(name = "concepts")
@SecurityRequirement(name = "jwt")
public class ConceptTransferResource {

    @Inject
    ConceptService concepts;

    @Inject
    ConceptTransfer transfer;

    @Inject
    CallerFactory callers;

    @GET
    @Path("/{id}/export")
    @Produces({MediaType.APPLICATION_JSON, "application/graphml+xml", MediaType.TEXT_PLAIN})
    @Operation(operationId = "exportConcept", summary = "A concept as a JSON Canvas, GraphML, Argdown or AIF file; visible as for reading it")
    @APIResponse(responseCode = "200", description = "The file, as an attachment named after the concept",
            content = {@Content(mediaType = "application/json", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/graphml+xml", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING))},
            headers = {
                    @Header(name = "ETag", description = "The concept's version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Content-Disposition", description = "attachment; filename=\"<concept name>.<canvas|graphml|argdown|json>\"", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "304", description = "If-None-Match names the current version")
    @APIResponse(responseCode = "400", description = "A malformed id, or no known format (neither format nor Accept names one)")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    public Uni<Response> export(@PathParam("id") String id,
            @Parameter(description = "canvas (JSON Canvas 1.0), graphml, argdown or aif (AIFdb JSON); without it, Accept: application/graphml+xml selects graphml")
            @QueryParam("format") String format,
            @HeaderParam(HttpHeaders.ACCEPT) String accept,
            @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        java.util.UUID conceptId = Ids.parse("id", id);
        Format chosen = Format.of(format, accept);
        return concepts.get(callers.current(), conceptId).map(view -> {
            if (ifNoneMatch != null && ETags.matches(ifNoneMatch, view.version())) {
                return Response.notModified(WriteResponses.etag(view.version())).build();
            }
            return Response.ok(transfer.write(chosen, view), chosen.mediaType() + ";charset=UTF-8")
                    .tag(WriteResponses.etag(view.version()))
                    .header("Content-Disposition", disposition(view.name(), chosen))
                    .build();
        });
    }

    @POST
    @Path("/import")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, description = "The file: JSON Canvas 1.0, GraphML, Argdown or AIF (at most 1 MiB)",
            content = {@Content(mediaType = "application/json", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/graphml+xml", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING))})
    @Operation(operationId = "importConcept", summary = "Create a concept from a JSON Canvas, GraphML, Argdown or AIF file, as a POST of the concept would")
    @APIResponse(responseCode = "200", description = "dryRun=true: the concept the file would create and what it could not map; nothing written",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ImportPreview.class)))
    @APIResponse(responseCode = "201", description = "Created: the concept",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ConceptView.class)),
            headers = {
                    @Header(name = "Location", description = "URL of the new resource", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ETag", description = "The concept's new version, quoted", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "X-Consistency-Token", description = "WAL position of this write; send it on graph and search reads to see it", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "No known format (neither format nor Content-Type names one), or a malformed dryRun")
    @APIResponse(responseCode = "409", description = "A concurrent transaction won (deadlock or serialization failure): retry")
    @APIResponse(responseCode = "413", description = "The file is over 1 MiB")
    @APIResponse(responseCode = "422", description = "The file is not readable as its format (invalid-file: where and what), or the concept it describes breaks a rule of a create (validation: the field and the node)")
    @APIResponse(responseCode = "503", description = "Overloaded: every database connection is busy (Retry-After)")
    public Uni<Response> importFile(
            @Parameter(description = "canvas, graphml, argdown or aif; without it, Content-Type: application/graphml+xml selects graphml")
            @QueryParam("format") String format,
            @Parameter(description = "true: answer what would be created, write nothing")
            @QueryParam("dryRun") String dryRun,
            @Parameter(description = "the concept's name, instead of the one the file gives")
            @QueryParam("name") String name,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            byte[] body) {
        Format chosen = Format.of(format, contentType);
        boolean dry = flag("dryRun", dryRun);
        return transfer.check(chosen, body == null ? new byte[0] : body, name).chain(imported -> dry
                ? Uni.createFrom().item(Response.ok(new ImportPreview(imported.concept(), imported.unmapped())).build())
                : transfer.create(callers.current(), imported).map(change -> WriteResponses.created(
                        UriBuilder.fromPath("/api/concepts/{id}").build(change.item().id()), change)));
    }

    private static boolean flag(String name, String value) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true") || value.isEmpty()) {
            return true;
        }
        throw ApiProblem.badRequest(name, "'" + value + "' is not true or false");
    }

    /** An ASCII file name for every client, and the exact one in RFC 5987 form for those that read it. */
    static String disposition(String conceptName, Format format) {
        String file = conceptName + "." + format.extension();
        String ascii = file.replaceAll("[^A-Za-z0-9 ._()-]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
                + URLEncoder.encode(file, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
