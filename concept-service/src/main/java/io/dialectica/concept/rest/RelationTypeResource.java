package io.dialectica.concept.rest;

import io.dialectica.concept.rest.dto.RelationTypeView;
import io.dialectica.concept.service.RelationTypes;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/relation-types")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "relation types")
public class RelationTypeResource {

    @Inject
    RelationTypes relationTypes;

    @GET
    @Operation(operationId = "listRelationTypes", summary = "The controlled vocabulary of relation types")
    @APIResponse(responseCode = "200", description = "Every relation type with its description, by code")
    public Uni<List<RelationTypeView>> list() {
        return relationTypes.vocabulary().map(RelationTypes.Vocabulary::types);
    }
}
