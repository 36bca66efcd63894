package io.dialectica.worker.context;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.worker.context.PromptContext.CategoryContext;
import io.dialectica.worker.context.PromptContext.ConceptContext;
import io.dialectica.worker.context.PromptContext.RelatedConcept;
import io.dialectica.worker.context.PromptContext.RelationContext;
import io.dialectica.worker.context.PromptContext.SimilarConcept;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextCompressorTest {

    private final ContextCompressor compressor = new ContextCompressor(new ObjectMapper());

    /** Categories C0..C{n-1} with centrality falling in an order that is not the list order. */
    private static ConceptContext concept(String name, double[] centrality) {
        List<CategoryContext> cats = new ArrayList<>();
        for (int i = 0; i < centrality.length; i++) {
            cats.add(new CategoryContext(name + "-C" + i, "description of category " + i + " ".repeat(40), 0.5,
                    centrality[i]));
        }
        List<RelationContext> rels = new ArrayList<>();
        for (int i = 1; i < centrality.length; i++) {
            rels.add(new RelationContext(name + "-C0", name + "-C" + i, "IMPLIES", 0.5, "because " + i));
        }
        rels.add(new RelationContext(name + "-C1", name + "-C2", "NEGATES", 0.5, "the other way"));
        return new ConceptContext("id-" + name, name, "t", "d", cats, rels);
    }

    private static PromptContext context(List<ConceptContext> concepts) {
        List<RelatedConcept> related = List.of(new RelatedConcept("r1", "Close", "t", 0.9, List.of("x")),
                new RelatedConcept("r2", "Far", "t", 0.1, List.of("y")),
                new RelatedConcept("r3", "Middle", "t", 0.5, List.of("z")));
        return new PromptContext(concepts, related);
    }

    private static List<String> names(PromptContext c, int concept) {
        return c.concepts().get(concept).categories().stream().map(CategoryContext::name).toList();
    }

    @Test
    void withinBudgetNothingIsDropped() {
        PromptContext c = context(List.of(concept("A", new double[] { 0.4, 0.1, 0.3, 0.2 })));
        ContextCompressor.Result r = compressor.compress(c, 100_000);
        assertEquals(c, r.context());
        assertEquals(0, r.droppedCategories());
        assertEquals(ContextCompressor.estimateTokens(r.json()), r.estimatedTokens());
    }

    @Test
    void dropsTheLeastCentralCategoriesWithTheirRelationsFirst() {
        // centrality: C0 .40, C1 .05, C2 .30, C3 .02, C4 .20, C5 .03 -> drop order C3, C5, C1
        PromptContext c = context(List.of(concept("A", new double[] { 0.40, 0.05, 0.30, 0.02, 0.20, 0.03 })));
        int full = ContextCompressor.estimateTokens(compressor.json(c));

        ContextCompressor.Result one = compressor.compress(c, full - 1);
        assertEquals(List.of("A-C0", "A-C1", "A-C2", "A-C4", "A-C5"), names(one.context(), 0));
        assertTrue(one.context().concepts().getFirst().relations().stream()
                .noneMatch(r -> r.from().equals("A-C3") || r.to().equals("A-C3")));
        assertEquals(1, one.droppedRelations());
        assertEquals(3, one.context().related().size(), "related concepts are kept while categories can go");
        assertTrue(one.estimatedTokens() <= full - 1);

        ContextCompressor.Result three = compressor.compress(c, ContextCompressor.estimateTokens(
                compressor.json(compressor.compress(c, full - 1).context())) - 150);
        assertEquals(List.of("A-C0", "A-C2", "A-C4"), names(three.context(), 0),
                "C3, C5, then C1 (with the NEGATES relation) went; the three most central stay");
        assertTrue(three.context().concepts().getFirst().relations().stream()
                .allMatch(r -> List.of("A-C0", "A-C2", "A-C4").containsAll(List.of(r.from(), r.to()))));
    }

    private static PromptContext keep(PromptContext c, List<String> categories, List<String> related) {
        ConceptContext a = c.concepts().getFirst();
        ConceptContext kept = new ConceptContext(a.id(), a.name(), a.tradition(), a.description(),
                a.categories().stream().filter(k -> categories.contains(k.name())).toList(),
                a.relations().stream().filter(r -> categories.contains(r.from()) && categories.contains(r.to())).toList());
        return new PromptContext(List.of(kept),
                c.related().stream().filter(r -> related.contains(r.name())).toList());
    }

    @Test
    void thenRelatedConceptsLeastRelatedFirstThenCategoriesDownToOne() {
        PromptContext c = context(List.of(concept("A", new double[] { 0.4, 0.1, 0.3, 0.2, 0.05 })));
        // the budget fits the three most central categories and two related concepts exactly
        PromptContext expected = keep(c, List.of("A-C0", "A-C2", "A-C3"), List.of("Close", "Middle"));
        ContextCompressor.Result r = compressor.compress(c, ContextCompressor.estimateTokens(compressor.json(expected)));
        assertEquals(expected, r.context(), "C4 and C1 first, then the least related concept (Far)");
        assertEquals(2, r.droppedCategories());
        assertEquals(1, r.droppedRelated());

        ContextCompressor.Result tiny = compressor.compress(c, 1);
        assertEquals(List.of("A-C0"), names(tiny.context(), 0), "at worst, the most central category is left");
        assertEquals(List.of(), tiny.context().related());
        assertTrue(tiny.estimatedTokens() > 1, "an unreachable budget is reported, not hidden");
    }

    @Test
    void similarConceptsGoFirstLeastSimilarFirst() {
        PromptContext base = context(List.of(concept("A", new double[] { 0.4, 0.1, 0.3, 0.2, 0.05 })));
        PromptContext c = base.withSimilar(List.of(
                new SimilarConcept("s1", "Nearest", "A short description.", "close in meaning to A (similarity 0.91)", 0.91),
                new SimilarConcept("s3", "Farthest", "A short description.", "close in meaning to A (similarity 0.62)", 0.62),
                new SimilarConcept("s2", "Middle", "A short description.", "close in meaning to A (similarity 0.80)", 0.80)));
        String json = compressor.json(c);
        assertTrue(json.contains("\"similar\":[{\"id\":\"s1\",\"name\":\"Nearest\",\"description\":\"A short description.\","
                + "\"why\":\"close in meaning to A (similarity 0.91)\"}"), json);
        assertFalse(json.contains("score\":0.91"), "the score is not sent: the why says it");

        // one token under: the least similar goes, nothing else
        ContextCompressor.Result one = compressor.compress(c, ContextCompressor.estimateTokens(json) - 1);
        assertEquals(List.of("Nearest", "Middle"), one.context().similar().stream().map(SimilarConcept::name).toList());
        assertEquals(1, one.droppedSimilar());
        assertEquals(0, one.droppedCategories());
        assertEquals(0, one.droppedRelated());

        // the budget of the context without them: all three go, categories and related concepts stay
        ContextCompressor.Result none = compressor.compress(c, ContextCompressor.estimateTokens(compressor.json(base)));
        assertEquals(base, none.context());
        assertFalse(none.json().contains("similar"), "an empty list leaves the field out");
        assertEquals(3, none.droppedSimilar());
        assertEquals(0, none.droppedCategories());
    }

    @Test
    void aSynthesisDropsByCentralityRelativeToEachConcept() {
        // B has more categories, hence smaller raw PageRank; relative to its own most central category
        // its least central scores 0.5, while A-C3 scores 0.05 / 0.5 = 0.1
        PromptContext c = context(List.of(concept("A", new double[] { 0.5, 0.3, 0.15, 0.05 }),
                concept("B", new double[] { 0.2, 0.18, 0.16, 0.14, 0.12, 0.1, 0.1 })));
        ContextCompressor.Result r = compressor.compress(c, ContextCompressor.estimateTokens(compressor.json(c)) - 1);
        assertEquals(List.of("A-C0", "A-C1", "A-C2"), names(r.context(), 0));
        assertEquals(7, names(r.context(), 1).size());
    }
}
