package io.dialectica.graph.rebuild;

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

/** Operations (not routed by the gateway): {@code ./dialectica rebuild graph} calls this. */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "jwt")
public class RebuildResource {

    @Inject
    GraphRebuilder rebuilder;

    @POST
    @Path("/rebuild")
    @Blocking
    @RolesAllowed({CallerFactory.ADMIN_GROUP, CallerFactory.SERVICE_GROUP})
    @Operation(operationId = "rebuildGraph", summary = "Rebuild the graph from PostgreSQL's state at a recorded LSN "
            + "while the stream keeps applying; reads keep answering. Answers when done (409 while another rebuild runs)")
    public GraphRebuilder.Result rebuild() {
        return rebuilder.rebuild();
    }
}
