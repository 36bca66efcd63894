package io.dialectica.concept.formats;

import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.concept.service.CanonicalNames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Concepts as the service answers them (display names, trimmed texts, blank as null, categories by name), generated
 * for the round-trip properties; and the comparison of a concept with the one an import would create.
 */
final class GeneratedConcepts {

    static final Set<String> TYPES = Set.of("IMPLIES", "PRESUPPOSES", "NEGATES", "CONTRADICTS", "SUBLATES", "GROUNDS",
            "ANALOGOUS_TO", "PART_OF", "OPPOSES", "EXEMPLIFIES");
    private static final List<String> TYPE_LIST = TYPES.stream().sorted().toList();

    /** Names with what tends to break formats: Markdown marks, XML and JSON specials, accents, CJK, a surrogate pair (~). */
    private static final String NAME_CHARS = "abcdefgXYZ éßü無~#*-_:()<>&\"'\\/.,";

    private GeneratedConcepts() {
    }

    /** How the generated numbers look: {@code exact} positions and weights a lossy format keeps exactly. */
    static Arbitrary<ConceptView> concepts(boolean twoDecimalWeights, boolean wholePositions) {
        Arbitrary<String> name = Arbitraries.strings().withChars(NAME_CHARS).ofMinLength(1).ofMaxLength(40)
                .map(GeneratedConcepts::emoji).map(CanonicalNames::display).filter(s -> !s.isBlank());
        Arbitrary<String> text = Arbitraries.strings().withChars(NAME_CHARS + "\n\t").ofMinLength(0).ofMaxLength(120)
                .map(GeneratedConcepts::emoji).map(String::strip).map(s -> s.isEmpty() ? null : s);
        Arbitrary<Double> weight = twoDecimalWeights
                ? Arbitraries.integers().between(0, 100).map(i -> i / 100.0)
                : Arbitraries.doubles().between(0, 1);
        Arbitrary<Double> position = wholePositions
                ? Arbitraries.integers().between(-5000, 5000).map(Integer::doubleValue)
                : Arbitraries.doubles().between(-1_000_000, 1_000_000);
        Arbitrary<CategoryView> category = Combinators.combine(name, text, weight, position, position)
                .as((n, d, w, x, y) -> new CategoryView(UUID.randomUUID(), n, CanonicalNames.canonical(n), d, w, x, y));
        Arbitrary<List<CategoryView>> categories = category.list().ofMaxSize(12)
                .uniqueElements(c -> c.canonicalName())
                .map(list -> list.stream().sorted(Comparator.comparing(CategoryView::name)).toList());
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(name, text, text, categories, seed, Arbitraries.integers().between(0, 30))
                .as((n, description, tradition, cats, s, relationCount) -> {
                    java.util.Random random = new java.util.Random(s);
                    List<RelationView> relations = new ArrayList<>();
                    Set<String> keys = new HashSet<>();
                    for (int i = 0; i < relationCount && cats.size() > 1; i++) {
                        CategoryView from = cats.get(random.nextInt(cats.size()));
                        CategoryView to = cats.get(random.nextInt(cats.size()));
                        String type = TYPE_LIST.get(random.nextInt(TYPE_LIST.size()));
                        if (from == to || !keys.add(from.id() + type + to.id())) {
                            continue;
                        }
                        double w = twoDecimalWeights ? random.nextInt(101) / 100.0 : random.nextDouble();
                        String rationale = random.nextBoolean() ? null
                                : ("Because " + from.name() + ":\n" + "(" + to.name() + ") " + i).strip();
                        relations.add(new RelationView(UUID.randomUUID(), from.name(), to.name(), from.id(), to.id(),
                                type, w, rationale));
                    }
                    relations.sort(Comparator.comparing(RelationView::type).thenComparing(RelationView::id));
                    return new ConceptView(UUID.randomUUID(), "alice", n, description, tradition, Visibility.PRIVATE,
                            0.5, 3, Instant.EPOCH, Instant.EPOCH, cats, List.copyOf(relations));
                });
    }

    /** Characters are drawn one by one, so a pair is drawn as one character and put in afterwards. */
    private static String emoji(String text) {
        return text.replace("~", "\uD83D\uDE00");
    }

    /** Equal concepts, or a failure naming the first field that differs, with control characters made visible. */
    static void assertSame(ConceptInput expected, ConceptInput actual) {
        org.junit.jupiter.api.Assertions.assertEquals(visible(expected.name()), visible(actual.name()), "name");
        org.junit.jupiter.api.Assertions.assertEquals(visible(expected.description()), visible(actual.description()), "description");
        org.junit.jupiter.api.Assertions.assertEquals(visible(expected.tradition()), visible(actual.tradition()), "tradition");
        org.junit.jupiter.api.Assertions.assertEquals(expected.categories().size(), actual.categories().size(), "categories");
        for (int i = 0; i < expected.categories().size(); i++) {
            org.junit.jupiter.api.Assertions.assertEquals(visible(expected.categories().get(i)), visible(actual.categories().get(i)),
                    "categories[" + i + "]");
        }
        org.junit.jupiter.api.Assertions.assertEquals(expected.relations().size(), actual.relations().size(), "relations");
        for (int i = 0; i < expected.relations().size(); i++) {
            org.junit.jupiter.api.Assertions.assertEquals(visible(expected.relations().get(i)), visible(actual.relations().get(i)),
                    "relations[" + i + "]");
        }
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual);
    }

    private static String visible(Object value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        value.toString().codePoints().forEach(c -> {
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** The POST body that re-creates this concept exactly. */
    static ConceptInput asInput(ConceptView concept, boolean withTradition) {
        return new ConceptInput(concept.name(), concept.description(), withTradition ? concept.tradition() : null, null,
                concept.categories().stream().map(c -> new CategoryInput(c.name(), c.description(), c.weight(), c.x(), c.y()))
                        .toList(),
                concept.relations().stream().map(r -> new RelationInput(r.from(), r.to(), r.type(), r.weight(), r.rationale()))
                        .toList());
    }
}
