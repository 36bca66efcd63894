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
    @Operation(summary = "A job's current state (one primary-key read): the requester's or, for admins, anybody's")
    public Uni<JobView> get(@PathParam("id") String id) {
        return jobs.get(callers.current(), Ids.parse("id", id));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a QUEUED or RUNNING job (200 with the job); a finished job answers 409")
    public Uni<JobView> cancel(@PathParam("id") String id) {
        return jobs.cancel(callers.current(), Ids.parse("id", id));
    }
}
