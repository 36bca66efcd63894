package io.dialectica.graph.rest;

import io.dialectica.contracts.ConsistencyToken;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.rest.dto.CentralityView;
import io.dialectica.graph.rest.dto.ConceptGraphView;
import io.dialectica.graph.rest.dto.PathView;
import io.dialectica.graph.rest.dto.RelatedView;
import io.dialectica.graph.rest.dto.SimilarView;
import io.dialectica.graph.service.ConsistencyGate;
import io.dialectica.graph.service.GraphQueries;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.dialectica.service.security.CallerFactory;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The graph read API. Every read accepts {@code X-Consistency-Token} (concept-service's answer to a
 * write): single-concept reads wait until that concept's write is applied, reads across concepts until
 * the low watermark passes it; 504 projection-behind after {@code dialectica.graph.consistency-wait}.
 */
@Path("/api/graph")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "graph")
@SecurityRequirement(name = "jwt")
public class GraphResource {

    @Inject
    GraphQueries queries;

    @Inject
    ConsistencyGate gate;

    @Inject
    CallerFactory callers;

    @Inject
    GraphConfig config;

    @GET
    @Path("/concepts/{id}")
    @Operation(operationId = "getConceptGraph", summary = "A concept as projected: its categories (weight, position) and typed relations")
    @APIResponse(responseCode = "200", description = "The concept's graph")
    @APIResponse(responseCode = "400", description = "A malformed id or consistency token; errors[] names the parameter")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "503", description = "Neo4j unreachable (Retry-After)")
    @APIResponse(responseCode = "504", description = "projection-behind: the projection did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<ConceptGraphView> concept(@PathParam("id") String id,
            @Parameter(description = "X/Y LSN from a concept-service write: wait until it is applied")
            @HeaderParam(ConsistencyToken.HEADER) String token) {
        String conceptId = Params.uuid("id", id);
        String wanted = Params.token(ConsistencyToken.HEADER, token);
        Caller caller = callers.current();
        return gate.forConcept(conceptId, wanted)
                .chain(() -> Uni.createFrom().completionStage(() -> queries.concept(caller, conceptId)));
    }

    @GET
    @Path("/concepts/{id}/related")
    @Operation(operationId = "getRelatedConcepts", summary = "Visible concepts sharing categories, ranked by Σ weight here × weight there")
    @APIResponse(responseCode = "200", description = "The related concepts, best first")
    @APIResponse(responseCode = "400", description = "A malformed id or consistency token, or limit out of range; errors[] names the parameter")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "503", description = "Neo4j unreachable (Retry-After)")
    @APIResponse(responseCode = "504", description = "projection-behind: the projection did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<RelatedView> related(@PathParam("id") String id, @QueryParam("limit") String limit,
            @HeaderParam(ConsistencyToken.HEADER) String token) {
        String conceptId = Params.uuid("id", id);
        int max = Params.integer("limit", limit, 10, 1, 100);
        String wanted = Params.token(ConsistencyToken.HEADER, token);
        Caller caller = callers.current();
        return gate.forAll(wanted)
                .chain(() -> Uni.createFrom().completionStage(() -> queries.related(caller, conceptId, max)));
    }

    @GET
    @Path("/concepts/{id}/similar")
    @Operation(operationId = "getSimilarConcepts", summary = "Visible concepts nearest by meaning (in-process embeddings of name, description and category names; cosine), best first")
    @APIResponse(responseCode = "200", description = "The similar concepts, best first; pending = the concept's vector does not yet match its current text")
    @APIResponse(responseCode = "400", description = "A malformed id or consistency token, or limit out of range; errors[] names the parameter")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "503", description = "Neo4j unreachable (Retry-After)")
    @APIResponse(responseCode = "504", description = "projection-behind: the projection did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<SimilarView> similar(@PathParam("id") String id, @QueryParam("limit") String limit,
            @HeaderParam(ConsistencyToken.HEADER) String token) {
        String conceptId = Params.uuid("id", id);
        int max = Params.integer("limit", limit, 10, 1, 100);
        String wanted = Params.token(ConsistencyToken.HEADER, token);
        Caller caller = callers.current();
        // the token covers the graph (the concepts and their visibility); the vectors follow it asynchronously
        return gate.forAll(wanted)
                .chain(() -> Uni.createFrom().completionStage(() -> queries.similar(caller, conceptId, max)));
    }

    @GET
    @Path("/concepts/{id}/centrality")
    @Operation(operationId = "getCategoryCentrality", summary = "PageRank (damping 0.85, weighted) of the concept's categories over its own relations")
    @APIResponse(responseCode = "200", description = "The categories by rank")
    @APIResponse(responseCode = "400", description = "A malformed id or consistency token, or limit out of range; errors[] names the parameter")
    @APIResponse(responseCode = "404", description = "No such concept, or one the caller cannot see")
    @APIResponse(responseCode = "503", description = "Neo4j unreachable (Retry-After)")
    @APIResponse(responseCode = "504", description = "projection-behind: the projection did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<CentralityView> centrality(@PathParam("id") String id, @QueryParam("limit") String limit,
            @HeaderParam(ConsistencyToken.HEADER) String token) {
        String conceptId = Params.uuid("id", id);
        int max = Params.integer("limit", limit, 10, 1, 100);
        String wanted = Params.token(ConsistencyToken.HEADER, token);
        Caller caller = callers.current();
        return gate.forConcept(conceptId, wanted)
                .chain(() -> Uni.createFrom().completionStage(() -> queries.centrality(caller, conceptId, max)));
    }

    @GET
    @Path("/paths")
    @Operation(operationId = "findCategoryPath", summary = "A shortest path between two categories over relations of concepts the caller can see")
    @APIResponse(responseCode = "200", description = "The path, step by step")
    @APIResponse(responseCode = "400", description = "from or to missing or malformed, from = to, maxLength out of range, or a malformed consistency token; errors[] names the parameter")
    @APIResponse(responseCode = "404", description = "No path of at most maxLength relations visible to the caller")
    @APIResponse(responseCode = "503", description = "Neo4j unreachable (Retry-After)")
    @APIResponse(responseCode = "504", description = "projection-behind: the projection did not reach X-Consistency-Token in time; retry after Retry-After with the same token")
    public Uni<PathView> path(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("maxLength") String maxLength, @HeaderParam(ConsistencyToken.HEADER) String token) {
        String fromId = Params.uuid("from", from);
        String toId = Params.uuid("to", to);
        if (fromId.equals(toId)) {
            throw ApiProblem.badRequest("to", "must differ from 'from'");
        }
        int length = Params.integer("maxLength", maxLength, 6, 1, config.maxPathLength());
        String wanted = Params.token(ConsistencyToken.HEADER, token);
        Caller caller = callers.current();
        return gate.forAll(wanted)
                .chain(() -> Uni.createFrom().completionStage(() -> queries.path(caller, fromId, toId, length)));
    }
}
