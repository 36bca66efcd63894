package io.dialectica.thesis.rest;

import io.dialectica.contracts.generation.JobType;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.dialectica.thesis.config.ThesisConfig;
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
    @Operation(summary = "Ask for a synthesis of 2-5 concepts: 202 with the job; the result is a proposed concept")
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
                input.language() == null ? config.defaultLanguage() : input.language(), input.mode());
        return jobs.create(callers.current(), authorization, command, key).map(JobResponses::created);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A stored synthesis: the proposed concept, its sources, mode and what generating it took")
    public Uni<SynthesisView> get(@PathParam("id") String id) {
        return jobs.synthesis(callers.current(), Ids.parse("id", id));
    }
}
