package io.dialectica.thesis.rest;

import io.dialectica.service.http.JsonLines;
import io.dialectica.service.security.CallerFactory;
import io.dialectica.thesis.service.ResultExport;
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
 * thesis-service's part of the gateway's {@code GET /api/me/export}: the caller's theses and syntheses as JSON Lines.
 * Not under {@code /api}, so the gateway does not route it and it stays out of the public API: the public export is
 * the gateway's, which puts concept-service's part first and closes with a summary line (api-gateway README, "Export").
 */
@Path("/internal/export/results")
@Authenticated
@Tag(name = "export")
@SecurityRequirement(name = "jwt")
public class ResultExportResource {

    @Inject
    ResultExport export;

    @Inject
    CallerFactory callers;

    @GET
    @Produces(JsonLines.MEDIA_TYPE)
    @Operation(operationId = "exportOwnResults", summary = "The caller's theses and syntheses, one JSON line each, in the order of their jobs, streamed")
    @APIResponse(responseCode = "200", description = "Lines {\"kind\":\"thesis\",\"thesis\":{...}} and {\"kind\":\"synthesis\",\"synthesis\":{...as GET /api/syntheses/{id}}}",
            content = @Content(mediaType = JsonLines.MEDIA_TYPE, schema = @Schema(type = SchemaType.STRING)))
    public RestMulti<String> results() {
        return JsonLines.stream(export.lines(callers.current()));
    }
}
