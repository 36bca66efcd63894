package io.dialectica.concept.rest;

import io.dialectica.concept.service.ConceptExport;
import io.dialectica.service.http.JsonLines;
import io.dialectica.service.security.CallerFactory;
import io.quarkus.security.Authenticated;
import org.jboss.resteasy.reactive.RestMulti;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * concept-service's part of the gateway's {@code GET /api/me/export}: the caller's concepts as JSON Lines. Not under
 * {@code /api}, so the gateway does not route it and it stays out of the public API: the public export is the
 * gateway's, which adds thesis-service's part and the closing summary line (api-gateway README, "Export").
 */
@Path("/internal/export/concepts")
@Authenticated
@Tag(name = "export")
@SecurityRequirement(name = "jwt")
public class ConceptExportResource {

    @Inject
    ConceptExport export;

    @Inject
    CallerFactory callers;

    @GET
    @Produces(JsonLines.MEDIA_TYPE)
    @Operation(operationId = "exportOwnConcepts", summary = "Every concept the caller owns, one JSON line each, in creation order, streamed")
    @APIResponse(responseCode = "200", description = "Lines {\"kind\":\"concept\",\"concept\":{...as GET /api/concepts/{id}}}",
            content = @Content(mediaType = JsonLines.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING)))
    public RestMulti<String> concepts() {
        return JsonLines.stream(export.lines(callers.current()));
    }
}
