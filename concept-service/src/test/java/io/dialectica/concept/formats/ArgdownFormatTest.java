package io.dialectica.concept.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.service.problem.ApiProblem;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argdown: exact round trips, and the Argdown toolchain's own parser (@argdown/core, on node) reading the export. */
class ArgdownFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Process reader;
    private static Writer toReader;
    private static BufferedReader fromReader;

    @Provide
    Arbitrary<ConceptView> any() {
        return GeneratedConcepts.concepts(false, false);
    }

    /** Everything but visibility comes back exactly: the front matter lists every relation with its weight and rationale. */
    @Property(tries = 300)
    void roundTripKeepsTheConcept(@ForAll("any") ConceptView concept) {
        Imported imported = read(ArgdownFormat.write(concept));
        GeneratedConcepts.assertSame(GeneratedConcepts.asInput(concept, true), imported.concept());
        assertEquals(List.of(), imported.unmapped());
    }

    /**
     * @argdown/core reads the export with no error: one statement per category (its title, its data: weight, x, y),
     * the support, attack and contradiction relations drawn, and the front matter listing every relation.
     */
    @Property(tries = 150)
    void theArgdownToolchainReadsTheExport(@ForAll("any") ConceptView concept) throws IOException {
        JsonNode parsed = argdown(ArgdownFormat.write(concept));
        assertEquals(List.of(), JSON.convertValue(parsed.get("errors"), List.class));
        assertEquals(concept.name(), parsed.get("frontMatter").get("title").asText());

        Map<java.util.UUID, String> titles = ArgdownFormat.titles(concept.categories());
        Map<String, JsonNode> statements = new HashMap<>();
        parsed.get("statements").forEach(s -> statements.put(s.get("title").asText(), s));
        assertEquals(new HashSet<>(titles.values()), statements.keySet());
        for (CategoryView category : concept.categories()) {
            JsonNode data = statements.get(titles.get(category.id())).get("data");
            assertEquals(category.weight(), data.get("weight").asDouble());
            assertEquals(category.x(), data.get("x").asDouble());
            assertEquals(category.y(), data.get("y").asDouble());
            assertEquals(category.description(), data.has("description") ? data.get("description").asText() : null);
        }

        Set<String> expected = new HashSet<>();
        for (RelationView relation : concept.relations()) {
            String kind = ArgdownFormat.SUPPORT.contains(relation.type()) ? "support"
                    : ArgdownFormat.ATTACK.contains(relation.type()) ? "attack"
                    : ArgdownFormat.CONTRADICTION.contains(relation.type()) ? "contradictory" : null;
            if (kind != null) {
                expected.add(titles.get(relation.fromCategoryId()) + " " + kind + " " + titles.get(relation.toCategoryId()));
            }
        }
        Set<String> actual = new HashSet<>();
        parsed.get("relations").forEach(r -> actual.add(r.get("from").asText() + " " + r.get("type").asText() + " "
                + r.get("to").asText()));
        // Argdown keeps one contradiction per pair of statements, whichever way it was drawn
        assertEquals(symmetric(expected), symmetric(actual));

        JsonNode listed = parsed.get("frontMatter").path("dialectica").path("relations");
        assertEquals(concept.relations().size(), listed.size());
        for (int i = 0; i < listed.size(); i++) {
            RelationView relation = concept.relations().get(i);
            assertEquals(relation.type(), listed.get(i).get("type").asText());
            assertEquals(relation.weight(), listed.get(i).get("weight").asDouble());
            assertEquals(relation.rationale(), listed.get(i).has("rationale") ? listed.get(i).get("rationale").asText() : null);
        }
    }

    /** Argdown as people write it (the style of the Argdown guide): incoming and outgoing relations, arguments, comments. */
    @Example
    void handWrittenArgdownImports() {
        Imported imported = read("""
                ===
                title: Being and Nothing
                tradition: German Idealism
                ===

                # The opening triad

                // statements, with the relations drawn under them
                [Being]: Pure being is pure indeterminacy. {weight: 0.9, x: 10, y: 20}
                  - [Nothing]: Pure nothing is the same emptiness.
                  +> [Becoming]
                  >< [Determinate being]

                <Hegel's argument>: Being and nothing pass into each other.
                  + [Becoming]
                """);
        assertEquals("Being and Nothing", imported.concept().name());
        assertEquals("German Idealism", imported.concept().tradition());
        assertEquals(List.of(
                new CategoryInput("Being", "Pure being is pure indeterminacy.", 0.9, 10.0, 20.0),
                new CategoryInput("Nothing", "Pure nothing is the same emptiness.", null, null, null),
                new CategoryInput("Becoming", null, null, null, null),
                new CategoryInput("Determinate being", null, null, null, null)), imported.concept().categories());
        assertEquals(List.of(
                new RelationInput("Nothing", "Being", "NEGATES", null, null),
                new RelationInput("Being", "Becoming", "IMPLIES", null, null),
                new RelationInput("Being", "Determinate being", "CONTRADICTS", null, null)), imported.concept().relations());
        assertEquals(List.of(new Unmapped("line 14", "an argument is not a category; left out")), imported.unmapped());
    }

    /** The sample in the Argdown guide's style: the toolchain reads it without error, and it imports. */
    @Example
    void theSampleImports() throws IOException {
        String sample = new String(CanvasFormatTest.resource("hegel.argdown"), StandardCharsets.UTF_8);
        assertEquals(List.of(), JSON.convertValue(argdown(sample).get("errors"), List.class));
        Imported imported = read(sample);
        assertEquals("Being, Nothing, Becoming", imported.concept().name());
        assertEquals(List.of("Being", "Becoming", "Nothing", "Determinate being"),
                imported.concept().categories().stream().map(CategoryInput::name).toList());
        assertEquals("Being, pure being, without any further determination. #hegel",
                imported.concept().categories().get(0).description());
        assertEquals(List.of(
                new RelationInput("Nothing", "Being", "NEGATES", null, null),
                new RelationInput("Being", "Determinate being", "CONTRADICTS", null, null),
                new RelationInput("Being", "Becoming", "IMPLIES", null, null),
                new RelationInput("Nothing", "Becoming", "IMPLIES", null, null)), imported.concept().relations());
        assertEquals(List.of(new Unmapped("line 18", "an argument is not a category; left out")), imported.unmapped());
    }

    @Example
    void badFilesSayWhereAndWhat() {
        assertProblem("line 2", "===\ntitle: [unclosed\n===\n", "the front matter is not YAML");
        assertProblem("line 1", "===\ntitle: x\n", "the front matter opened here is not closed by ===");
        assertProblem("line 1", "[A]: a {weight: heavy}\n", "statement [A]: weight must be a number");
        assertProblem("body", "  \n", "the file is empty");
        assertProblem("body", new byte[] {(byte) 0xC3, (byte) 0x28}, "not UTF-8 text");
    }

    private static Set<String> symmetric(Set<String> relations) {
        Set<String> out = new HashSet<>();
        for (String r : relations) {
            String[] parts = r.split(" contradictory ", -1);
            out.add(parts.length == 2 && parts[0].compareTo(parts[1]) > 0 ? parts[1] + " contradictory " + parts[0] : r);
        }
        return out;
    }

    private static void assertProblem(String where, String file, String what) {
        assertProblem(where, file.getBytes(StandardCharsets.UTF_8), what);
    }

    private static void assertProblem(String where, byte[] file, String what) {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> ArgdownFormat.read(file, CanvasFormatTest.LIMITS,
                GeneratedConcepts.TYPES, null));
        assertEquals(422, problem.status());
        assertEquals(where, problem.errors().get(0).field(), problem.errors().get(0).message());
        assertTrue(problem.errors().get(0).message().startsWith(what), problem.errors().get(0).message());
    }

    private static Imported read(String file) {
        return ArgdownFormat.read(file.getBytes(StandardCharsets.UTF_8), CanvasFormatTest.LIMITS, GeneratedConcepts.TYPES, null);
    }

    /** One document through the toolchain's reader, kept running for the whole class. */
    private static synchronized JsonNode argdown(String document) throws IOException {
        if (reader == null) {
            Path script = Path.of("src/test/argdown/run.sh").toAbsolutePath();
            reader = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            toReader = new OutputStreamWriter(reader.getOutputStream(), StandardCharsets.UTF_8);
            fromReader = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
        }
        toReader.write(JSON.writeValueAsString(document) + "\n");
        toReader.flush();
        String answer = fromReader.readLine();
        if (answer == null) {
            throw new IOException("the Argdown reader stopped");
        }
        return JSON.readTree(answer);
    }

    @AfterContainer
    static void stopReader() {
        if (reader != null) {
            reader.destroy();
        }
    }
}
