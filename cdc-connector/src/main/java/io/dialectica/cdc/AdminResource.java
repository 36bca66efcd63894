package io.dialectica.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.CallerFactory;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;

import java.util.List;

/**
 * Operations, as search-service's {@code /admin/reindex}: JWT of group {@code admin} or {@code service}, never
 * routed by the gateway. {@code POST /admin/snapshots} starts an incremental snapshot (README, "Incremental
 * snapshots"), {@code GET} follows it.
 */
@Path("/admin/snapshots")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({CallerFactory.ADMIN_GROUP, CallerFactory.SERVICE_GROUP})
public class AdminResource {

    /** The optional body of POST: the tables to snapshot (all four when absent or empty). */
    public record SnapshotRequest(List<String> tables) {
    }

    private final IncrementalSnapshots snapshots;
    private final ObjectMapper mapper;

    public AdminResource(IncrementalSnapshots snapshots, ObjectMapper mapper) {
        this.snapshots = snapshots;
        this.mapper = mapper;
    }

    /**
     * 202 with the snapshot's id and {@code Location}; 409 while one runs or without the signalling table. The body
     * is optional ({@code curl -X POST} snapshots all four tables), hence read as text.
     */
    @POST
    @Blocking
    public Response start(String body, @Context UriInfo uri) throws JsonProcessingException {
        // strict: a misspelt field ("table") must not silently mean "all tables"
        SnapshotRequest request = body == null || body.isBlank() ? null
                : mapper.readerFor(SnapshotRequest.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .readValue(body);
        IncrementalSnapshots.View view = snapshots.request(request == null ? null : request.tables());
        return Response.accepted(view).location(uri.getAbsolutePathBuilder().path(view.id()).build()).build();
    }

    /** The snapshots this process saw (requested here, by SQL, or resumed after a restart), newest first. */
    @GET
    public List<IncrementalSnapshots.View> all() {
        return snapshots.all();
    }

    @GET
    @Path("/{id}")
    public IncrementalSnapshots.View one(@PathParam("id") String id) {
        return snapshots.get(id).orElseThrow(() -> ApiProblem.notFound("incremental snapshot " + id));
    }
}
