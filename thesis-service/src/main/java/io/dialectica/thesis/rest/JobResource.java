package io.dialectica.thesis.rest;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.Ids;
import io.dialectica.service.security.CallerFactory;
import io.dialectica.thesis.rest.dto.BudgetRequest;
import io.dialectica.thesis.rest.dto.BudgetView;
import io.dialectica.thesis.rest.dto.JobView;
import io.dialectica.thesis.service.JobService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
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

    @GET
    @Path("/budgets/{user}")
    @Tag(name = "budgets")
    @Operation(operationId = "getBudget", summary = "A user's monthly budget: amount, spent, held by running jobs, remaining, reset time (the user or an admin)")
    @APIResponse(responseCode = "200", description = "The budget this month",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BudgetView.class)))
    @APIResponse(responseCode = "403", description = "Somebody else's budget, and the caller is not an admin")
    public Uni<BudgetView> budget(@PathParam("user") String user) {
        return jobs.budget(callers.current(), userId(user));
    }

    @PUT
    @Path("/budgets/{user}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Tag(name = "budgets")
    @Operation(operationId = "setBudget", summary = "Set a user's monthly budget in USD (admins only); checked at every job request")
    @APIResponse(responseCode = "200", description = "The budget this month, with the new amount",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BudgetView.class)))
    @APIResponse(responseCode = "400", description = "Unreadable JSON, a wrong type or an unknown field")
    @APIResponse(responseCode = "403", description = "The caller is not an admin")
    @APIResponse(responseCode = "422", description = "monthlyUsd missing, negative, above 1000000 or with more than 6 decimals")
    public Uni<BudgetView> setBudget(@PathParam("user") String user, @Valid @NotNull(message = "required") BudgetRequest body) {
        return jobs.setBudget(callers.current(), userId(user), body.monthlyUsd());
    }

    @DELETE
    @Path("/budgets/{user}")
    @Tag(name = "budgets")
    @Operation(operationId = "resetBudget", summary = "Remove a user's own budget: the configured default applies again (admins only)")
    @APIResponse(responseCode = "200", description = "The budget this month, now the default",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BudgetView.class)))
    @APIResponse(responseCode = "403", description = "The caller is not an admin")
    public Uni<BudgetView> resetBudget(@PathParam("user") String user) {
        return jobs.setBudget(callers.current(), userId(user), null);
    }

    /** A JWT subject: 1–200 characters, no control characters. */
    private static String userId(String user) {
        if (user == null || user.isBlank() || user.length() > 200 || user.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.badRequest("user", "a user id (a token's subject) of 1 to 200 characters");
        }
        return user;
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
