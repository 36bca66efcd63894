package io.dialectica.worker.context;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.worker.context.GraphModels.Category;
import io.dialectica.worker.context.GraphModels.Centrality;
import io.dialectica.worker.context.GraphModels.CentralityItem;
import io.dialectica.worker.context.GraphModels.ConceptGraph;
import io.dialectica.worker.context.GraphModels.Related;
import io.dialectica.worker.context.GraphModels.RelatedItem;
import io.dialectica.worker.context.GraphModels.Relation;
import io.dialectica.worker.context.GraphModels.Similar;
import io.dialectica.worker.context.GraphModels.SimilarItem;
import io.dialectica.worker.context.PromptContext.SimilarConcept;
import io.dialectica.worker.context.PromptContext.CategoryContext;
import io.dialectica.worker.context.PromptContext.ConceptContext;
import io.dialectica.worker.context.PromptContext.RelatedConcept;
import io.dialectica.worker.context.PromptContext.RelationContext;
import io.dialectica.worker.claude.ClaudeCall;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.cost.TokenCounter;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Loads each source concept's graph, centrality and related concepts, and compresses them to the budget.
 * <p>
 * <b>Byte-identical for the same state</b>: graph-service answers lists in whatever order its store returns
 * them, so every list is sorted here by a total order — categories by centrality (highest first), then name;
 * relations by from, to, type, weight, rationale; related concepts by score (highest first), name, id; shared
 * category names alphabetically — and scores are rounded to 4 decimals. The same concept state therefore
 * serialises to the same JSON, whatever order the answers came in, and prompts on it share the cached prefix
 * (ContextDeterminismTest).
 * <p>
 * <b>Similar concepts</b> (graph-service's {@code /similar}, embeddings): the {@code similar-limit} (3) nearest by
 * meaning over all source concepts (sources excluded, the best score of a concept kept), each with a short
 * description and why it is similar; the first thing compression drops.
 */
@ApplicationScoped
public class ContextBuilder {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ContextBuilder.class);
    static final int SIMILAR_DESCRIPTION = 160;

    private final GraphContextLoader loader;
    private final WorkerConfig config;
    private final ContextCompressor compressor;

    private final TokenCounter counter;

    public ContextBuilder(GraphContextLoader loader, WorkerConfig config, ObjectMapper mapper, TokenCounter counter) {
        this.loader = loader;
        this.config = config;
        this.compressor = new ContextCompressor(mapper);
        this.counter = counter;
    }

    public ContextCompressor.Result build(GenerationRequest request) {
        List<ConceptContext> concepts = new ArrayList<>();
        Map<UUID, RelatedItem> related = new LinkedHashMap<>();
        Map<UUID, SimilarConcept> similar = new LinkedHashMap<>();
        Set<UUID> sources = new HashSet<>(request.conceptIds());
        for (UUID id : request.conceptIds()) {
            ConceptGraph graph = loader.concept(id);
            Centrality centrality = loader.centrality(id);
            Related rel = loader.related(id);
            concepts.add(toContext(graph, centrality));
            for (SimilarConcept s : similar(id, graph.name(), sources)) {
                similar.merge(UUID.fromString(s.id()), s, (a, b) -> a.score() >= b.score() ? a : b);
            }
            if (rel != null && rel.items() != null) {
                for (RelatedItem item : rel.items()) {
                    if (item.id() != null && !sources.contains(item.id())) {
                        related.merge(item.id(), item, (a, b) -> a.score() >= b.score() ? a : b);
                    }
                }
            }
        }
        return fit(new PromptContext(concepts, related(related.values(), config.graph().relatedLimit()))
                .withSimilar(mostSimilar(similar.values(), config.graph().similarLimit())), config.graph().tokenBudget());
    }

    /**
     * The concepts nearest by meaning to one source concept, as context entries; none when graph-service cannot say
     * (no vectors yet, an older graph-service, a failure): similar concepts enrich a prompt, they never fail a job.
     */
    private List<SimilarConcept> similar(UUID id, String sourceName, Set<UUID> sources) {
        int limit = config.graph().similarLimit();
        if (limit <= 0) {
            return List.of();
        }
        Similar answer;
        try {
            // one more than needed per source: another source concept may be among them
            answer = loader.similar(id, limit + sources.size());
        } catch (RuntimeException e) {
            LOG.debugf("no similar concepts for %s: %s", id, e.getMessage());
            return List.of();
        }
        if (answer == null || answer.items() == null) {
            return List.of();
        }
        List<SimilarConcept> out = new ArrayList<>();
        for (SimilarItem item : answer.items()) {
            if (item.id() != null && !sources.contains(item.id())) {
                out.add(similarConcept(item, sourceName));
            }
        }
        return out;
    }

    static SimilarConcept similarConcept(SimilarItem item, String sourceName) {
        List<String> shared = item.sharedCategories() == null ? List.of()
                : item.sharedCategories().stream().filter(java.util.Objects::nonNull).sorted().distinct().toList();
        String why = "close in meaning to " + sourceName + " (similarity "
                + String.format(java.util.Locale.ROOT, "%.2f", item.score()) + ")"
                + (shared.isEmpty() ? ", no category in common" : ", shares " + String.join(", ", shared));
        return new SimilarConcept(item.id().toString(), item.name(), shortDescription(item.description()), why,
                round(item.score()));
    }

    /** The best {@code limit} in a total order (score, name, id). */
    static List<SimilarConcept> mostSimilar(java.util.Collection<SimilarConcept> items, int limit) {
        return items.stream()
                .sorted(Comparator.comparingDouble(SimilarConcept::score).reversed()
                        .thenComparing(SimilarConcept::name, Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(SimilarConcept::id))
                .limit(Math.max(0, limit))
                .toList();
    }

    /** At most {@value #SIMILAR_DESCRIPTION} characters, cut at a word where possible. */
    static String shortDescription(String description) {
        String d = blankToNull(description);
        if (d == null) {
            return null;
        }
        d = d.strip().replaceAll("\\s+", " ");
        if (d.length() <= SIMILAR_DESCRIPTION) {
            return d;
        }
        int cut = d.lastIndexOf(' ', SIMILAR_DESCRIPTION - 1);
        return d.substring(0, cut > SIMILAR_DESCRIPTION / 2 ? cut : SIMILAR_DESCRIPTION - 1) + "…";
    }

    /**
     * Compresses to the budget by the estimate (characters / 4), then counts the result exactly
     * ({@link TokenCounter}: count_tokens, cached by content hash). When the exact count is over the budget the
     * estimate was too low for this text: the context is compressed again to the budget scaled by the measured
     * ratio, at most twice. Without an exact count the estimate decides, as before.
     */
    ContextCompressor.Result fit(PromptContext context, int budget) {
        ContextCompressor.Result r = compressor.compress(context, budget);
        TokenCounter.Count count = count(r);
        int target = budget;
        for (int round = 0; round < 2 && count.exact() && count.tokens() > budget && r.estimatedTokens() > 0; round++) {
            target = Math.max(1, (int) Math.floor(Math.min(target, r.estimatedTokens()) * (double) budget / count.tokens()));
            r = compressor.compress(context, target);
            count = count(r);
        }
        return r.counted(count.tokens(), count.exact());
    }

    private TokenCounter.Count count(ContextCompressor.Result r) {
        return counter.count(List.of(), List.of(ClaudeCall.Turn.user(ClaudeCall.Block.plain(r.json()))));
    }

    /** The most related concepts, in a total order (score, name, id), their shared categories sorted. */
    static List<RelatedConcept> related(java.util.Collection<RelatedItem> items, int limit) {
        return items.stream()
                .sorted(Comparator.comparingDouble((RelatedItem r) -> round(r.score())).reversed()
                        .thenComparing(RelatedItem::name, Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(RelatedItem::id))
                .limit(limit)
                .map(r -> new RelatedConcept(r.id().toString(), r.name(), r.tradition(), round(r.score()),
                        r.sharedCategories() == null ? List.of()
                                : r.sharedCategories().stream().filter(java.util.Objects::nonNull).sorted().distinct()
                                        .toList()))
                .toList();
    }

    static ConceptContext toContext(ConceptGraph graph, Centrality centrality) {
        Map<UUID, Double> scores = new HashMap<>();
        if (centrality != null && centrality.items() != null) {
            for (CentralityItem item : centrality.items()) {
                scores.put(item.categoryId(), item.score());
            }
        }
        List<Category> categories = graph.categories() == null ? List.of() : graph.categories();
        Map<UUID, String> names = new HashMap<>();
        categories.forEach(c -> names.put(c.id(), c.name()));
        List<CategoryContext> cats = categories.stream()
                .map(c -> new CategoryContext(c.name(), blankToNull(c.description()), c.weight(),
                        round(scores.getOrDefault(c.id(), 0.0))))
                .sorted(Comparator.comparingDouble(CategoryContext::centrality).reversed()
                        .thenComparing(CategoryContext::name)
                        .thenComparing(CategoryContext::description, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(CategoryContext::weight, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
        List<Relation> relations = graph.relations() == null ? List.of() : graph.relations();
        List<RelationContext> rels = relations.stream()
                .filter(r -> names.containsKey(r.fromCategoryId()) && names.containsKey(r.toCategoryId()))
                .map(r -> new RelationContext(names.get(r.fromCategoryId()), names.get(r.toCategoryId()), r.type(),
                        r.weight(), blankToNull(r.rationale())))
                .sorted(Comparator.comparing(RelationContext::from).thenComparing(RelationContext::to)
                        .thenComparing(RelationContext::type, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(RelationContext::weight, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(RelationContext::rationale, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
        return new ConceptContext(graph.id().toString(), graph.name(), graph.tradition(),
                blankToNull(graph.description()), cats, rels);
    }

    static double round(double d) {
        return Math.round(d * 10000.0) / 10000.0;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
