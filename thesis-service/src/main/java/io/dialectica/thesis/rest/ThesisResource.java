package io.dialectica.thesis.rest;

import io.dialectica.contracts.generation.JobType;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.dialectica.thesis.config.ThesisConfig;
import io.dialectica.thesis.rest.dto.JobView;
import io.dialectica.thesis.rest.dto.ThesesRequest;
import io.dialectica.thesis.rest.dto.ThesesView;
import io.dialectica.thesis.service.JobCommand;
import io.dialectica.thesis.service.JobService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/concepts/{id}/theses")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "theses")
@SecurityRequirement(name = "jwt")
public class ThesisResource {

    @Inject
    JobService jobs;

    @Inject
    CallerFactory callers;

    @Inject
    ThesisConfig config;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createTheses", summary = "Ask for theses about a concept: 202 with the job; follow it at progressUrl or GET /api/jobs/{id}")
    @APIResponse(responseCode = "202", description = "Accepted: the new job (QUEUED); follow it at GET /api/jobs/{id} or on the /ws/jobs WebSocket",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)),
            headers = @Header(name = "Location", description = "URL of the job", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "200", description = "The Idempotency-Key was used before for the same request: that job, again",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)),
            headers = {
                    @Header(name = "Location", description = "URL of the job", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Idempotent-Replayed", description = "true", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type, an unknown field, a malformed id or Idempotency-Key")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "Invalid content (errors[] names each field), or the Idempotency-Key was used for a different request")
    @APIResponse(responseCode = "503", description = "concept-service could not be asked (Retry-After)")
    public Uni<Response> create(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam("Idempotency-Key") String idempotencyKey, @Valid ThesesRequest body) {
        var conceptId = Ids.parse("id", id);
        String key = JobResponses.idempotencyKey(idempotencyKey);
        ThesesRequest input = body == null ? new ThesesRequest(null, null, null) : body;
        JobCommand command = new JobCommand(JobType.THESES, List.of(conceptId),
                input.count() == null ? config.defaultCount() : input.count(),
                input.language() == null ? config.defaultLanguage() : input.language(), null,
                JobCommand.priority(input.priority()));
        return jobs.create(callers.current(), authorization, command, key).map(JobResponses::created);
    }

    @GET
    @Operation(operationId = "listTheses", summary = "The caller's theses about a concept, grouped by job, newest first (optionally one job)")
    @APIResponse(responseCode = "200", description = "The theses, grouped by job")
    @APIResponse(responseCode = "400", description = "A malformed id or jobId")
    @APIResponse(responseCode = "404", description = "jobId names no job of the caller's about this concept")
    public Uni<ThesesView> list(@PathParam("id") String id, @QueryParam("jobId") String jobId) {
        return jobs.theses(callers.current(), Ids.parse("id", id), jobId == null ? null : Ids.parse("jobId", jobId));
    }
}
