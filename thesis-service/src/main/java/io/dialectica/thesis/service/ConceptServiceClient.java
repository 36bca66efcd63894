package io.dialectica.thesis.service;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * concept-service, asked with the caller's own token: a 200 means the caller may see the concept,
 * a 404 that it does not exist or is someone else's private concept (concept-service does not tell
 * them apart, and neither do we).
 */
@RegisterRestClient(configKey = "concept-service")
@Path("/api/concepts")
public interface ConceptServiceClient {

    @GET
    @Path("/{id}")
    Uni<Response> get(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);
}
