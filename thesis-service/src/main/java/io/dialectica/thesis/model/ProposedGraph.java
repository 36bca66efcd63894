package io.dialectica.thesis.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.dialectica.contracts.generation.GenerationResult;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** The graph part of a proposed concept, stored as jsonb in {@code syntheses.proposed}. */
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection(targets = {GenerationResult.ProposedCategory.class, GenerationResult.ProposedRelation.class})
public record ProposedGraph(List<GenerationResult.ProposedCategory> categories,
        List<GenerationResult.ProposedRelation> relations) {
}
