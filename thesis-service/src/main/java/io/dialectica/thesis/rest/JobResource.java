package io.dialectica.thesis.rest;

import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.dialectica.thesis.rest.dto.JobView;
import io.dialectica.thesis.service.JobService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/jobs")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs")
@SecurityRequirement(name = "jwt")
public class JobResource {

    @Inject
    JobService jobs;

    @Inject
    CallerFactory callers;

    @GET
    @Path("/{id}")
    @Operation(operationId = "getJob", summary = "A job's current state (one primary-key read): the requester's or, for admins, anybody's")
    @APIResponse(responseCode = "200", description = "The job")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such job, or somebody else's")
    public Uni<JobView> get(@PathParam("id") String id) {
        return jobs.get(callers.current(), Ids.parse("id", id));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "cancelJob", summary = "Cancel a QUEUED or RUNNING job (200 with the job); a finished job answers 409")
    @APIResponse(responseCode = "200", description = "The job, now CANCELLED")
    @APIResponse(responseCode = "400", description = "A malformed id")
    @APIResponse(responseCode = "404", description = "No such job, or somebody else's")
    @APIResponse(responseCode = "409", description = "The job already finished (SUCCEEDED, FAILED or CANCELLED)")
    public Uni<JobView> cancel(@PathParam("id") String id) {
        return jobs.cancel(callers.current(), Ids.parse("id", id));
    }
}
