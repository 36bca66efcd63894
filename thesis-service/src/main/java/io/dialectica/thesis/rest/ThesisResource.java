package io.dialectica.thesis.rest;

import io.dialectica.contracts.generation.JobType;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.dialectica.thesis.config.ThesisConfig;
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
    @Operation(summary = "Ask for theses about a concept: 202 with the job; follow it at progressUrl or GET /api/jobs/{id}")
    public Uni<Response> create(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam("Idempotency-Key") String idempotencyKey, @Valid ThesesRequest body) {
        var conceptId = Ids.parse("id", id);
        String key = JobResponses.idempotencyKey(idempotencyKey);
        ThesesRequest input = body == null ? new ThesesRequest(null, null) : body;
        JobCommand command = new JobCommand(JobType.THESES, List.of(conceptId),
                input.count() == null ? config.defaultCount() : input.count(),
                input.language() == null ? config.defaultLanguage() : input.language(), null);
        return jobs.create(callers.current(), authorization, command, key).map(JobResponses::created);
    }

    @GET
    @Operation(summary = "The caller's theses about a concept, grouped by job, newest first (optionally one job)")
    public Uni<ThesesView> list(@PathParam("id") String id, @QueryParam("jobId") String jobId) {
        return jobs.theses(callers.current(), Ids.parse("id", id), jobId == null ? null : Ids.parse("jobId", jobId));
    }
}
