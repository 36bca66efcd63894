package io.dialectica.worker.context;

import io.dialectica.worker.context.GraphModels.Centrality;
import io.dialectica.worker.context.GraphModels.ConceptGraph;
import io.dialectica.worker.context.GraphModels.Related;
import io.dialectica.worker.context.GraphModels.Similar;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.util.UUID;

/**
 * graph-service's read API, called with the worker's service token (group {@code service}: sees every
 * concept). Base URL: {@code quarkus.rest-client.graph-service.url}. Retries, timeout and circuit
 * breaker are on {@link GraphContextLoader}, which knows which failures are worth another try.
 */
@RegisterRestClient(configKey = "graph-service")
@Path("/api/graph/concepts")
@Produces(MediaType.APPLICATION_JSON)
public interface GraphServiceClient {

    @GET
    @Path("/{id}")
    ConceptGraph concept(@PathParam("id") UUID id, @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/{id}/centrality")
    Centrality centrality(@PathParam("id") UUID id, @QueryParam("limit") int limit,
            @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/{id}/similar")
    Similar similar(@PathParam("id") UUID id, @QueryParam("limit") int limit,
            @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/{id}/related")
    Related related(@PathParam("id") UUID id, @QueryParam("limit") int limit,
            @HeaderParam("Authorization") String authorization);
}
