package io.dialectica.thesis.rest;

import io.dialectica.contracts.generation.JobType;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.dialectica.thesis.config.ThesisConfig;
import io.dialectica.thesis.rest.dto.JobView;
import io.dialectica.thesis.rest.dto.SynthesisRequest;
import io.dialectica.thesis.rest.dto.SynthesisView;
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

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

@Path("/api/syntheses")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "syntheses")
@SecurityRequirement(name = "jwt")
public class SynthesisResource {

    @Inject
    JobService jobs;

    @Inject
    CallerFactory callers;

    @Inject
    ThesisConfig config;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createSynthesis", summary = "Ask for a synthesis of 2-5 concepts: 202 with the job; the result is a proposed concept")
    @APIResponse(responseCode = "202", description = "Accepted: the new job (QUEUED); follow it at GET /api/jobs/{id} or on the /ws/jobs WebSocket",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)),
            headers = @Header(name = "Location", description = "URL of the job", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "200", description = "The Idempotency-Key was used before for the same request: that job, again",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)),
            headers = {
                    @Header(name = "Location", description = "URL of the job", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Idempotent-Replayed", description = "true", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type, an unknown field, a malformed id or Idempotency-Key")
    @APIResponse(responseCode = "404", description = "One of the concepts does not exist or the caller cannot see it")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "Invalid content (errors[] names each field), or the Idempotency-Key was used for a different request")
    @APIResponse(responseCode = "503", description = "concept-service could not be asked (Retry-After)")
    public Uni<Response> create(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam("Idempotency-Key") String idempotencyKey, @Valid SynthesisRequest body) {
        SynthesisRequest input = Ids.required(body);
        String key = JobResponses.idempotencyKey(idempotencyKey);
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < input.conceptIds().size(); i++) {
            if (!seen.add(input.conceptIds().get(i))) {
                throw ApiProblem.invalid("conceptIds[" + i + "]", "names a concept twice; the concepts must be distinct");
            }
        }
        JobCommand command = new JobCommand(JobType.SYNTHESIS, input.conceptIds(), 1,
                input.language() == null ? config.defaultLanguage() : input.language(), input.mode(),
                JobCommand.priority(input.priority()));
        return jobs.create(callers.current(), authorization, command, key).map(JobResponses::created);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getSynthesis", summary = "A stored synthesis: the proposed concept, its sources, mode and what generating it took")
    @APIResponse(responseCode = "200", description = "The synthesis")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such synthesis (or its job has no result yet), or somebody else's")
    public Uni<SynthesisView> get(@PathParam("id") String id) {
        return jobs.synthesis(callers.current(), Ids.parse("id", id));
    }
}
