package io.dialectica.worker.context;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The context the prompt carries as a fenced {@code ```json} block: each source concept's graph
 * (categories by name, with their PageRank centrality; relations between them by name) and the most
 * related other concepts (shared categories) and the few most similar by meaning (embeddings). It holds nothing of the job itself (count, language and mode are the prompt's
 * task, after it): the same concept state must serialise to the same bytes, so that jobs on one concept
 * share the cached prompt prefix and the response cache's key. Hence the fixed field order here and the
 * total orders {@link ContextBuilder} sorts every list by.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "concepts", "related", "similar" })
public record PromptContext(List<ConceptContext> concepts, List<RelatedConcept> related, List<SimilarConcept> similar) {

    /** Without similar concepts (the field is left out of the JSON). */
    public PromptContext(List<ConceptContext> concepts, List<RelatedConcept> related) {
        this(concepts, related, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "id", "name", "tradition", "description", "categories", "relations" })
    public record ConceptContext(String id, String name, String tradition, String description,
            List<CategoryContext> categories, List<RelationContext> relations) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "name", "description", "weight", "centrality" })
    public record CategoryContext(String name, String description, Double weight, double centrality) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "from", "to", "type", "weight", "rationale" })
    public record RelationContext(String from, String to, String type, Double weight, String rationale) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "id", "name", "tradition", "score", "sharedCategories" })
    public record RelatedConcept(String id, String name, String tradition, double score, List<String> sharedCategories) {
    }

    /**
     * A concept close in meaning to a source concept: its short description (at most 160 characters) and why it is
     * similar ({@code why}: the similarity and the categories it shares with the source, if any).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "id", "name", "description", "why" })
    public record SimilarConcept(String id, String name, String description, String why,
            @JsonIgnore double score) {
        // score: for ordering and compression only, not sent (the why says it)
    }

    public PromptContext withConcepts(List<ConceptContext> c) {
        return new PromptContext(c, related, similar);
    }

    public PromptContext withRelated(List<RelatedConcept> r) {
        return new PromptContext(concepts, r, similar);
    }

    /** An empty list leaves the field out. */
    public PromptContext withSimilar(List<SimilarConcept> s) {
        return new PromptContext(concepts, related, s == null || s.isEmpty() ? null : s);
    }
}
