package io.dialectica.search.rest;

import io.dialectica.search.reindex.Reindexer;
import io.dialectica.service.security.CallerFactory;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operations (not routed by the gateway): {@code ./dialectica reindex search} calls this. */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "jwt")
public class AdminResource {

    @Inject
    Reindexer reindexer;

    @POST
    @Path("/reindex")
    @Blocking
    @RolesAllowed({CallerFactory.ADMIN_GROUP, CallerFactory.SERVICE_GROUP})
    @Operation(operationId = "rebuildSearchIndex", summary = "Rebuild the concept index from PostgreSQL into a new index and swap the alias; "
            + "searches keep answering. Answers when done (409 while another rebuild runs)")
    public Reindexer.Result reindex() {
        return reindexer.reindex();
    }
}
