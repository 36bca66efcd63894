package io.dialectica.worker.context;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.worker.context.PromptContext.CategoryContext;
import io.dialectica.worker.context.PromptContext.ConceptContext;
import io.dialectica.worker.context.PromptContext.RelatedConcept;
import io.dialectica.worker.context.PromptContext.RelationContext;
import io.dialectica.worker.context.PromptContext.SimilarConcept;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Fits a context into a token budget (estimate: characters of its JSON / 4), dropping in this order:
 * <ol>
 * <li>the concepts similar by meaning, least similar first (an enrichment: the first to go);</li>
 * <li>the least central category (PageRank relative to the most central category of the same concept,
 * so concepts of different sizes compare fairly) together with every relation touching it, while each
 * concept keeps more than {@code minCategories};</li>
 * <li>related concepts, least related first;</li>
 * <li>categories again, down to one per concept;</li>
 * <li>descriptions are cut to {@code 200} characters (concepts, then categories).</li>
 * </ol>
 * Deterministic: ties break by name. The result may still exceed the budget when one category per
 * concept does not fit; {@link Result#estimatedTokens()} tells.
 */
public final class ContextCompressor {

    public static final int MIN_CATEGORIES = 3;
    private static final int SHORT_DESCRIPTION = 200;

    private final ObjectMapper mapper;

    public ContextCompressor(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * A compressed context; {@code countedTokens} is its exact count from count_tokens when {@code exact}, else
     * the estimate.
     */
    public record Result(PromptContext context, String json, int estimatedTokens, int droppedCategories,
            int droppedRelations, int droppedRelated, int droppedSimilar, int countedTokens, boolean exact) {

        public Result counted(int tokens, boolean isExact) {
            return new Result(context, json, estimatedTokens, droppedCategories, droppedRelations, droppedRelated,
                    droppedSimilar, tokens, isExact);
        }
    }

    public static int estimateTokens(String text) {
        return (text.length() + 3) / 4;
    }

    public Result compress(PromptContext context, int budget) {
        PromptContext current = context;
        String json = json(current);
        int droppedCategories = 0;
        int droppedRelations = 0;
        int droppedRelated = 0;
        int droppedSimilar = 0;
        // 0. similar concepts, least similar first
        while (estimateTokens(json) > budget && current.similar() != null && !current.similar().isEmpty()) {
            List<SimilarConcept> similar = new ArrayList<>(current.similar());
            similar.sort(Comparator.comparingDouble(SimilarConcept::score).reversed()
                    .thenComparing(SimilarConcept::name, Comparator.nullsLast(Comparator.naturalOrder())));
            similar.removeLast();
            droppedSimilar++;
            current = current.withSimilar(similar);
            json = json(current);
        }
        // 1. least central categories, keeping MIN_CATEGORIES per concept
        while (estimateTokens(json) > budget) {
            Drop drop = leastCentral(current, MIN_CATEGORIES);
            if (drop == null) {
                break;
            }
            droppedRelations += drop.relationsRemoved;
            droppedCategories++;
            current = drop.context;
            json = json(current);
        }
        // 2. related concepts, least related first
        while (estimateTokens(json) > budget && current.related() != null && !current.related().isEmpty()) {
            List<RelatedConcept> related = new ArrayList<>(current.related());
            related.sort(Comparator.comparingDouble(RelatedConcept::score).reversed()
                    .thenComparing(RelatedConcept::name, Comparator.nullsLast(Comparator.naturalOrder())));
            related.removeLast();
            droppedRelated++;
            current = current.withRelated(related);
            json = json(current);
        }
        // 3. categories down to one per concept
        while (estimateTokens(json) > budget) {
            Drop drop = leastCentral(current, 1);
            if (drop == null) {
                break;
            }
            droppedRelations += drop.relationsRemoved;
            droppedCategories++;
            current = drop.context;
            json = json(current);
        }
        // 4. shorter descriptions
        if (estimateTokens(json) > budget) {
            current = current.withConcepts(current.concepts().stream().map(c -> new ConceptContext(c.id(), c.name(),
                    c.tradition(), shorten(c.description()), c.categories().stream()
                            .map(k -> new CategoryContext(k.name(), shorten(k.description()), k.weight(), k.centrality()))
                            .toList(), c.relations())).toList());
            json = json(current);
        }
        return new Result(current, json, estimateTokens(json), droppedCategories, droppedRelations, droppedRelated,
                droppedSimilar, estimateTokens(json), false);
    }

    private record Drop(PromptContext context, int relationsRemoved) {
    }

    /** Removes the globally least central category among concepts that have more than {@code keep}. */
    private static Drop leastCentral(PromptContext context, int keep) {
        int bestConcept = -1;
        CategoryContext best = null;
        double bestScore = Double.MAX_VALUE;
        List<ConceptContext> concepts = context.concepts();
        for (int i = 0; i < concepts.size(); i++) {
            ConceptContext c = concepts.get(i);
            if (c.categories().size() <= keep) {
                continue;
            }
            double max = c.categories().stream().mapToDouble(CategoryContext::centrality).max().orElse(0);
            for (CategoryContext k : c.categories()) {
                double relative = max > 0 ? k.centrality() / max : 0;
                if (relative < bestScore || (relative == bestScore && best != null && k.name().compareTo(best.name()) > 0)) {
                    bestScore = relative;
                    best = k;
                    bestConcept = i;
                }
            }
        }
        if (best == null) {
            return null;
        }
        ConceptContext c = concepts.get(bestConcept);
        String name = best.name();
        List<CategoryContext> categories = c.categories().stream().filter(k -> k != null && !k.name().equals(name)).toList();
        List<RelationContext> relations = c.relations().stream()
                .filter(r -> !name.equals(r.from()) && !name.equals(r.to())).toList();
        int removed = c.relations().size() - relations.size();
        List<ConceptContext> next = new ArrayList<>(concepts);
        next.set(bestConcept, new ConceptContext(c.id(), c.name(), c.tradition(), c.description(), categories, relations));
        return new Drop(context.withConcepts(next), removed);
    }

    private static String shorten(String s) {
        return s == null || s.length() <= SHORT_DESCRIPTION ? s : s.substring(0, SHORT_DESCRIPTION - 1) + "…";
    }

    public String json(PromptContext context) {
        try {
            return mapper.writeValueAsString(context);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
