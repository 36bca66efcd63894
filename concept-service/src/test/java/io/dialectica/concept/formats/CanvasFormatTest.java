package io.dialectica.concept.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.service.problem.ApiProblem;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON Canvas 1.0: round trips over generated concepts, the documented losses, the spec's schema, files as Obsidian writes them. */
class CanvasFormatTest {

    static final ImportLimits LIMITS = new ImportLimits(1000, 4000, 64);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = schema();

    @Provide
    Arbitrary<ConceptView> exact() {
        return GeneratedConcepts.concepts(true, true);
    }

    @Provide
    Arbitrary<ConceptView> any() {
        return GeneratedConcepts.concepts(false, false);
    }

    /** Names, descriptions, 2-decimal weights, whole positions, relation types, weights and rationales come back as they were. */
    @Property(tries = 300)
    void roundTripKeepsTheConcept(@ForAll("exact") ConceptView concept) {
        Imported imported = read(CanvasFormat.write(concept));
        GeneratedConcepts.assertSame(GeneratedConcepts.asInput(concept, false), imported.concept());
        assertEquals(List.of(), imported.unmapped());
    }

    /** The documented losses, exactly: weight to Math.round(weight × 100) / 100, positions to Math.round, no tradition. */
    @Property(tries = 300)
    void lossesAreTheDocumentedOnes(@ForAll("any") ConceptView concept) {
        ConceptInput expected = GeneratedConcepts.asInput(concept, false);
        expected = new ConceptInput(expected.name(), expected.description(), null, null,
                expected.categories().stream().map(c -> new CategoryInput(c.name(), c.description(),
                        Math.round(c.weight() * 100) / 100.0, (double) Math.round(c.x()), (double) Math.round(c.y()))).toList(),
                expected.relations());
        GeneratedConcepts.assertSame(expected, read(CanvasFormat.write(concept)).concept());
    }

    @Property(tries = 200)
    void exportFollowsTheSpec(@ForAll("any") ConceptView concept) throws IOException {
        Set<ValidationMessage> errors = SCHEMA.validate(JSON.readTree(CanvasFormat.write(concept)));
        assertEquals(Set.of(), errors);
    }

    @Property(tries = 50)
    void anUnchangedConceptExportsToTheSameBytes(@ForAll("any") ConceptView concept) {
        assertEquals(CanvasFormat.write(concept), CanvasFormat.write(concept));
    }

    @Example
    void idsAreTheConceptsOwn() throws IOException {
        ConceptView concept = GeneratedConcepts.concepts(true, true).filter(c -> !c.relations().isEmpty()).sample();
        JsonNode canvas = JSON.readTree(CanvasFormat.write(concept));
        assertEquals(concept.id().toString(), canvas.get("nodes").get(0).get("id").asText());
        assertEquals("group", canvas.get("nodes").get(0).get("type").asText());
        assertEquals(concept.relations().get(0).id().toString(), canvas.get("edges").get(0).get("id").asText());
        assertEquals(concept.relations().get(0).fromCategoryId().toString(), canvas.get("edges").get(0).get("fromNode").asText());
        assertEquals("arrow", canvas.get("edges").get(0).get("toEnd").asText());
    }

    /** The JSON Canvas repository's own sample, as Obsidian saved it: file nodes are categories, the edge has no type. */
    @Example
    void theSpecsSampleImports() throws IOException {
        assertTrue(SCHEMA.validate(JSON.readTree(resource("jsoncanvas-sample.canvas"))).isEmpty());
        Imported imported = read(new String(resource("jsoncanvas-sample.canvas"), StandardCharsets.UTF_8));
        assertEquals("Imported canvas", imported.concept().name());
        assertEquals(List.of("readme", "logo", "Learn more:", "1.0"),
                imported.concept().categories().stream().map(CategoryInput::name).toList());
        CategoryInput learnMore = imported.concept().categories().get(2);
        assertEquals("- [Apps](/docs/apps.md)\n- [Spec](spec/1.0.md)\n- [Github](https://github.com/obsidianmd/jsoncanvas)",
                learnMore.description());
        assertEquals(40.0, learnMore.x());
        assertEquals(-440.0, learnMore.y());
        assertEquals(0.43, learnMore.weight()); // 250 px wide: (250 - 120) / 300
        assertEquals(List.of(new RelationInput("logo", "Learn more:", "IMPLIES", null, null)), imported.concept().relations());
        assertEquals(List.of(
                new Unmapped("edge '6fa11ab87f90b8af'", "no relation type; imported as IMPLIES"),
                new Unmapped("file", "names no concept; imported as 'Imported canvas' (the name parameter sets one)")),
                imported.unmapped());
    }

    /** A canvas in Obsidian's layout: the group names the concept, Markdown marks go, labels become types. */
    @Example
    void anObsidianCanvasImports() {
        Imported imported = read(new String(resource("obsidian-hegel.canvas"), StandardCharsets.UTF_8));
        ConceptInput concept = imported.concept();
        assertEquals("Hegel: Being, Nothing, Becoming", concept.name());
        assertEquals(List.of(
                new CategoryInput("Being", "Pure indeterminate immediacy.", 0.43, -380.0, -240.0),
                new CategoryInput("Nothing", null, 0.43, 200.0, -240.0),
                new CategoryInput("Becoming", null, 0.43, -80.0, 120.0)), concept.categories());
        assertEquals(List.of(
                new RelationInput("Being", "Nothing", "NEGATES", null, "being, taken purely, is nothing"),
                new RelationInput("Becoming", "Being", "SUBLATES", null, null),
                new RelationInput("Becoming", "Nothing", "IMPLIES", null, "unity of both")), concept.relations());
        assertEquals(List.of(
                new Unmapped("node 'e8d1b3a6c2f04a91'", "a link node (https://www.gutenberg.org/ebooks/55108) is not a category; left out"),
                new Unmapped("edge '5e4d3c2b1a0f9e87'", "no relation type; imported as IMPLIES with the label as its rationale"),
                new Unmapped("edge '7c6b5a4d3e2f1908'", "joins node 'e8d1b3a6c2f04a91', which is not a category; left out")),
                imported.unmapped());
    }

    @Example
    void aBackwardArrowIsReadBackward() {
        Imported imported = read("""
                {"nodes": [{"id": "a", "type": "text", "text": "A", "x": 0, "y": 0, "width": 150, "height": 60},
                           {"id": "b", "type": "text", "text": "B", "x": 0, "y": 0, "width": 150, "height": 60}],
                 "edges": [{"id": "e", "fromNode": "a", "fromEnd": "arrow", "toNode": "b", "toEnd": "none", "label": "GROUNDS (0.7)"}]}
                """);
        assertEquals(List.of(new RelationInput("B", "A", "GROUNDS", 0.7, null)), imported.concept().relations());
        assertEquals(0.1, imported.concept().categories().get(0).weight());
    }

    @Example
    void badFilesSayWhereAndWhat() {
        assertProblem("line 1, column 12", "{\"nodes\": [", "not JSON");
        assertProblem("body", "[]", "a JSON Canvas file is a JSON object with nodes and edges");
        assertProblem("body", "", "the file is empty");
        assertProblem("nodes", "{\"nodes\": {}}", "must be an array");
        assertProblem("nodes[0].x", "{\"nodes\": [{\"id\": \"n1\", \"type\": \"text\", \"text\": \"A\", \"x\": \"0\", \"y\": 0, \"width\": 1, \"height\": 1}]}",
                "node 'n1': x is required and must be a number");
        assertProblem("nodes[1].id", "{\"nodes\": [" + node("n1", "A") + ", " + node("n1", "B") + "]}",
                "node 'n1': the id is used by another node too");
        assertProblem("edges[0]", "{\"nodes\": [" + node("n1", "A") + "], \"edges\": [{\"id\": \"e1\", \"fromNode\": \"n1\", \"toNode\": \"zz\"}]}",
                "edge 'e1': node 'zz' is not in the file");
        assertProblem("edges[0].label", "{\"nodes\": [" + node("a", "A") + ", " + node("b", "B")
                + "], \"edges\": [{\"id\": \"e1\", \"fromNode\": \"a\", \"toNode\": \"b\", \"label\": \"IMPLIES (much)\"}]}",
                "edge 'e1': the weight 'much' is not a number");
        assertProblem("node 'n1'", "{\"nodes\": [" + node("n1", "A\\ud800") + "]}", "must not contain a lone UTF-16 surrogate");
        assertProblem("node 'n1'", "{\"nodes\": [" + node("n1", "A\\u0000") + "]}", "must not contain a NUL character (U+0000)");
    }

    @Example
    void limitsAreEnforcedWhileReading() {
        ImportLimits small = new ImportLimits(2, 1, 5);
        String three = "{\"nodes\": [" + node("a", "A") + ", " + node("b", "B") + ", " + node("c", "C") + "]}";
        ApiProblem nodes = assertThrows(ApiProblem.class, () -> CanvasFormat.read(bytes(three), small, GeneratedConcepts.TYPES, null));
        assertEquals(new ApiProblem.FieldError("nodes", "3 nodes; at most 2 are accepted"), nodes.errors().get(0));
        ApiProblem deep = assertThrows(ApiProblem.class, () -> CanvasFormat.read(bytes("{\"nodes\": [[[[[[]]]]]]}"), small,
                GeneratedConcepts.TYPES, null));
        assertEquals(422, deep.status());
        assertTrue(deep.getMessage().contains("nesting depth"), deep.getMessage());
    }

    static String node(String id, String text) {
        return "{\"id\": \"" + id + "\", \"type\": \"text\", \"text\": \"" + text + "\", \"x\": 0, \"y\": 0, \"width\": 250, \"height\": 60}";
    }

    private static void assertProblem(String where, String file, String what) {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> read(file));
        assertEquals(422, problem.status());
        assertEquals("invalid-file", problem.slug());
        assertEquals(where, problem.errors().get(0).field());
        assertTrue(problem.errors().get(0).message().startsWith(what), problem.errors().get(0).message());
    }

    private static Imported read(String file) {
        return CanvasFormat.read(bytes(file), LIMITS, GeneratedConcepts.TYPES, null);
    }

    private static byte[] bytes(String file) {
        return file.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] resource(String name) {
        try (InputStream in = CanvasFormatTest.class.getResourceAsStream("/formats/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonSchema schema() {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(new String(resource("jsoncanvas-1.0.schema.json"), StandardCharsets.UTF_8));
    }
}
