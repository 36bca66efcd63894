package io.dialectica.worker.context;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.worker.context.GraphModels.Category;
import io.dialectica.worker.context.GraphModels.Centrality;
import io.dialectica.worker.context.GraphModels.CentralityItem;
import io.dialectica.worker.context.GraphModels.ConceptGraph;
import io.dialectica.worker.context.GraphModels.RelatedItem;
import io.dialectica.worker.context.GraphModels.Relation;
import io.dialectica.worker.prompt.Prompts;
import io.dialectica.worker.prompt.Prompts.Prompt;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prompt cache only hits when the cached prefix is byte-identical: the same concept state must give the
 * same context JSON whatever order graph-service lists categories, relations, scores and related concepts in
 * (and whatever floating-point noise its PageRank carries below the 4th decimal), with and without
 * compression; and jobs with other parameters on the same concept must share the system text and the context
 * block, differing only in the task after them.
 */
class ContextDeterminismTest {

    private static final UUID CONCEPT = UUID.fromString("6f1c0000-0000-0000-0000-000000000001");
    private final ContextCompressor compressor = new ContextCompressor(new ObjectMapper());

    /** One concept state: 12 categories (two pairs with equal centrality), 14 relations, 6 related concepts. */
    private record State(List<Category> categories, List<Relation> relations, List<CentralityItem> scores,
            List<RelatedItem> related) {
    }

    private static State state() {
        List<Category> cats = new ArrayList<>();
        List<CentralityItem> scores = new ArrayList<>();
        double[] centrality = { 0.21, 0.13, 0.13, 0.09, 0.08, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.03 };
        for (int i = 0; i < centrality.length; i++) {
            UUID id = UUID.nameUUIDFromBytes(("cat" + i).getBytes(StandardCharsets.UTF_8));
            cats.add(new Category(id, "Category " + (char) ('A' + i), i % 3 == 0 ? null : "What " + i + " means",
                    0.5 + i / 100.0));
            scores.add(new CentralityItem(id, "Category " + (char) ('A' + i), centrality[i]));
        }
        List<Relation> rels = new ArrayList<>();
        for (int i = 1; i < cats.size(); i++) {
            rels.add(new Relation(UUID.randomUUID(), i % 2 == 0 ? "IMPLIES" : "NEGATES", cats.get(i - 1).id(),
                    cats.get(i).id(), 0.7, "because " + i));
        }
        // two relations between the same categories with different types, one without a rationale
        rels.add(new Relation(UUID.randomUUID(), "GROUNDS", cats.get(0).id(), cats.get(1).id(), 0.4, null));
        rels.add(new Relation(UUID.randomUUID(), "OPPOSES", cats.get(0).id(), cats.get(1).id(), 0.9, "against"));
        rels.add(new Relation(UUID.randomUUID(), "SUBLATES", cats.get(5).id(), cats.get(2).id(), null, "up"));
        List<RelatedItem> related = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            related.add(new RelatedItem(UUID.nameUUIDFromBytes(("rel" + i).getBytes(StandardCharsets.UTF_8)),
                    i == 5 ? "Related 4" : "Related " + i, "Tradition", i < 2 ? 0.5 : 0.3 - i / 100.0,
                    List.of("Category C", "Category A", "Category B")));
        }
        return new State(cats, rels, scores, related);
    }

    /** The same state as graph-service might answer it another time: every list reordered, scores noisy. */
    private static State shuffled(State s, long seed) {
        Random r = new Random(seed);
        List<Category> cats = new ArrayList<>(s.categories());
        List<Relation> rels = new ArrayList<>();
        for (Relation x : s.relations()) {
            rels.add(new Relation(UUID.randomUUID(), x.type(), x.fromCategoryId(), x.toCategoryId(), x.weight(),
                    x.rationale())); // relation ids change, they are not part of the context
        }
        List<CentralityItem> scores = new ArrayList<>();
        for (CentralityItem c : s.scores()) {
            scores.add(new CentralityItem(c.categoryId(), c.name(), c.score() + (r.nextDouble() - 0.5) * 1e-9));
        }
        List<RelatedItem> related = new ArrayList<>();
        for (RelatedItem x : s.related()) {
            List<String> shared = new ArrayList<>(x.sharedCategories());
            Collections.shuffle(shared, r);
            related.add(new RelatedItem(x.id(), x.name(), x.tradition(), x.score(), shared));
        }
        Collections.shuffle(cats, r);
        Collections.shuffle(rels, r);
        Collections.shuffle(scores, r);
        Collections.shuffle(related, r);
        return new State(cats, rels, scores, related);
    }

    private String json(State s, int budget) {
        ConceptGraph graph = new ConceptGraph(CONCEPT, "Being, Nothing, Becoming", "The opening triad", "German Idealism",
                "alice", "PUBLIC", s.categories(), s.relations());
        PromptContext context = new PromptContext(List.of(ContextBuilder.toContext(graph, new Centrality(CONCEPT,
                s.scores()))), ContextBuilder.related(s.related(), 5));
        return compressor.compress(context, budget).json();
    }

    @Test
    void theSameConceptStateSerialisesToTheSameBytesWhateverTheOrderOfTheAnswers() {
        State state = state();
        byte[] reference = json(state, 100_000).getBytes(StandardCharsets.UTF_8);
        byte[] compressed = json(state, 500).getBytes(StandardCharsets.UTF_8);
        assertTrue(compressed.length < reference.length, "the small budget compresses");
        for (long seed = 1; seed <= 50; seed++) {
            State other = shuffled(state, seed);
            assertArrayEquals(reference, json(other, 100_000).getBytes(StandardCharsets.UTF_8), "seed " + seed);
            assertArrayEquals(compressed, json(other, 500).getBytes(StandardCharsets.UTF_8), "compressed, seed " + seed);
        }
        String text = new String(reference, StandardCharsets.UTF_8);
        // ties broken by name and content; shared categories sorted; five related concepts kept
        assertTrue(text.indexOf("\"Category B\"") < text.indexOf("\"Category C\""), text);
        assertTrue(text.contains("\"sharedCategories\":[\"Category A\",\"Category B\",\"Category C\"]"), text);
        assertEquals(5, text.split("\"sharedCategories\"", -1).length - 1);
        assertTrue(text.indexOf("\"GROUNDS\"") < text.indexOf("\"OPPOSES\""), text);
    }

    @Test
    void aChangedConceptChangesTheBytes() {
        State state = state();
        String reference = json(state, 100_000);
        List<Category> cats = new ArrayList<>(state.categories());
        Category first = cats.getFirst();
        cats.set(0, new Category(first.id(), first.name(), "A new description", first.weight()));
        assertNotEquals(reference, json(new State(cats, state.relations(), state.scores(), state.related()), 100_000));
    }

    @Test
    void jobsWithOtherParametersShareTheSystemTextAndTheContextBlock() {
        Prompts prompts = new Prompts();
        State state = state();
        String json = json(state, 100_000);
        PromptContext context = new PromptContext(List.of(new PromptContext.ConceptContext(CONCEPT.toString(),
                "Being, Nothing, Becoming", "German Idealism", null, List.of(), List.of())), List.of());
        Prompt three = prompts.render(new GenerationRequest(1, UUID.randomUUID(), JobType.THESES, "alice",
                List.of(CONCEPT), 3, "en", null, Instant.now()), context, json);
        Prompt five = prompts.render(new GenerationRequest(1, UUID.randomUUID(), JobType.THESES, "bob",
                List.of(CONCEPT), 5, "de", null, Instant.now()), context, json);
        assertEquals(three.system(), five.system());
        assertEquals(three.context(), five.context());
        assertNotEquals(three.task(), five.task());
        assertTrue(three.context().contains(json), "the context block carries the JSON as it is");
        assertTrue(three.task().contains("exactly 3 theses") && three.task().contains("\"en\""), three.task());
        // nothing of the job in the stable parts
        for (String stable : List.of(three.system(), three.context())) {
            assertFalse(stable.contains("exactly 3") || stable.contains("\"en\""), stable);
        }
        assertEquals("theses.v2", three.version());
        assertTrue(three.system().contains("dialectica.theses.v1"));
    }
}
