package io.dialectica.concept.formats;

import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.service.problem.ApiProblem;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jgrapht.Graph;
import org.jgrapht.graph.DirectedPseudograph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.nio.Attribute;
import org.jgrapht.nio.graphml.GraphMLImporter;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GraphML: exact round trips, JGraphT's reader on the export, a file in yEd's layout, the XML attacks. */
class GraphMlFormatTest {

    @Provide
    Arbitrary<ConceptView> any() {
        return GeneratedConcepts.concepts(false, false);
    }

    /** GraphML carries every field of a concept but visibility: any weight and position comes back exactly. */
    @Property(tries = 300)
    void roundTripKeepsTheConcept(@ForAll("any") ConceptView concept) {
        Imported imported = read(GraphMlFormat.write(concept));
        GeneratedConcepts.assertSame(GeneratedConcepts.asInput(concept, true), imported.concept());
        assertEquals(List.of(), imported.unmapped());
    }

    /** JGraphT's GraphML importer sees the same nodes, edges and attributes. */
    @Property(tries = 100)
    void jgraphtReadsTheExport(@ForAll("any") ConceptView concept) {
        Graph<String, DefaultEdge> graph = new DirectedPseudograph<>(null, DefaultEdge::new, false);
        Map<String, Map<String, String>> nodeAttributes = new HashMap<>();
        Map<DefaultEdge, Map<String, String>> edgeAttributes = new HashMap<>();
        Map<String, String> graphAttributes = new HashMap<>();
        GraphMLImporter<String, DefaultEdge> importer = new GraphMLImporter<>();
        // JGraphT checks against plain GraphML's schema, which has no room for yEd's yfiles.type keys
        importer.setSchemaValidation(false);
        importer.setVertexFactory(id -> id);
        importer.addVertexAttributeConsumer((pair, value) ->
                nodeAttributes.computeIfAbsent(pair.getFirst(), k -> new HashMap<>()).put(pair.getSecond(), value.getValue()));
        importer.addEdgeAttributeConsumer((pair, value) ->
                edgeAttributes.computeIfAbsent(pair.getFirst(), k -> new HashMap<>()).put(pair.getSecond(), value.getValue()));
        importer.addGraphAttributeConsumer((key, value) -> graphAttributes.put(key, value.getValue()));
        importer.importGraph(graph, new StringReader(GraphMlFormat.write(concept)));

        Set<String> categoryIds = new HashSet<>();
        for (CategoryView category : concept.categories()) {
            categoryIds.add(category.id().toString());
            Map<String, String> attributes = nodeAttributes.get(category.id().toString());
            assertEquals(category.name(), attributes.get("label"));
            assertEquals(category.description(), attributes.get("description"));
            assertEquals(category.weight(), Double.parseDouble(attributes.get("weight")));
            assertEquals(category.x(), Double.parseDouble(attributes.get("x")));
            assertEquals(category.y(), Double.parseDouble(attributes.get("y")));
        }
        assertEquals(categoryIds, graph.vertexSet());
        assertEquals(concept.relations().size(), graph.edgeSet().size());
        Set<String> expectedEdges = new HashSet<>();
        for (RelationView relation : concept.relations()) {
            expectedEdges.add(relation.fromCategoryId() + " " + relation.toCategoryId() + " "
                    + relation.type() + " " + relation.weight() + " " + relation.rationale());
        }
        Set<String> actualEdges = new HashSet<>();
        for (DefaultEdge edge : graph.edgeSet()) {
            Map<String, String> attributes = edgeAttributes.get(edge);
            // JGraphT 1.5.2 reports no edge ids; (from, to, type) is unique in a concept anyway
            actualEdges.add(graph.getEdgeSource(edge) + " " + graph.getEdgeTarget(edge) + " "
                    + attributes.get("type") + " " + Double.parseDouble(attributes.get("weight")) + " "
                    + attributes.get("rationale"));
        }
        assertEquals(expectedEdges, actualEdges);
        // JGraphT 1.5.2 reports no graph-level data (the concept's name, description, tradition): the round trip checks those
        assertEquals(Map.of(), graphAttributes);
    }

    /** The one loss: control characters XML 1.0 cannot hold become U+FFFD. */
    @Example
    void controlCharactersBecomeReplacementCharacters() {
        ConceptView concept = GeneratedConcepts.concepts(false, false).sample();
        ConceptView odd = new ConceptView(concept.id(), concept.owner(), "Bell\u0007 and form feed\u000c", concept.description(),
                concept.tradition(), concept.visibility(), 0, 1, concept.createdAt(), concept.updatedAt(), List.of(), List.of());
        assertEquals("Bell\uFFFD and form feed\uFFFD", read(GraphMlFormat.write(odd)).concept().name());
    }

    /** A file in yEd's own layout: labels and geometry from its graphics, arrows decide the direction, labels the type. */
    @Example
    void aYedFileImports() {
        Imported imported = read(new String(CanvasFormatTest.resource("yed-hegel.graphml"), StandardCharsets.UTF_8));
        ConceptInput concept = imported.concept();
        assertEquals("Imported graph", concept.name());
        assertEquals("The opening triad of the Science of Logic.", concept.description());
        assertEquals(List.of(
                new CategoryInput("Being", "Pure indeterminate immediacy", null, 120.0, 40.0),
                new CategoryInput("Nothing", null, null, 360.5, 40.0),
                new CategoryInput("Becoming", null, null, 240.0, 200.0)), concept.categories());
        assertEquals(List.of(
                new RelationInput("Being", "Nothing", "NEGATES", null, "Being, taken purely, is nothing"),
                new RelationInput("Becoming", "Nothing", "SUBLATES", null, null),
                new RelationInput("Becoming", "Being", "IMPLIES", null, null)), concept.relations());
        assertEquals(List.of(
                new Unmapped("edge 'e2'", "no relation type; imported as IMPLIES"),
                new Unmapped("file", "names no concept; imported as 'Imported graph' (the name parameter sets one)")),
                imported.unmapped());
        assertEquals("Hegel in yEd", GraphMlFormat.read(CanvasFormatTest.resource("yed-hegel.graphml"), CanvasFormatTest.LIMITS,
                GeneratedConcepts.TYPES, "Hegel in yEd").concept().name());
    }

    @Example
    void anExternalEntityIsRefused() {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> GraphMlFormat.read(CanvasFormatTest.resource("xxe.graphml"),
                CanvasFormatTest.LIMITS, GeneratedConcepts.TYPES, null));
        assertEquals(422, problem.status());
        assertEquals("line 4, column 4", problem.errors().get(0).field());
        assertTrue(problem.errors().get(0).message().startsWith("a DOCTYPE is refused"), problem.getMessage());
    }

    @Example
    void billionLaughsAreRefused() {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> GraphMlFormat.read(
                CanvasFormatTest.resource("billion-laughs.graphml"), CanvasFormatTest.LIMITS, GeneratedConcepts.TYPES, null));
        assertEquals(422, problem.status());
        assertTrue(problem.errors().get(0).message().startsWith("a DOCTYPE is refused"), problem.getMessage());
    }

    @Example
    void badFilesSayWhereAndWhat() {
        assertProblem("line 1, column 10", "<graphml>", "not well-formed XML");
        assertProblem("body", "", "the file is empty");
        assertProblem("line 1, column 9", "<graph/>", "the root element is <graph>, not <graphml>");
        assertProblem("line 2, column 45", """
                <graphml><graph id="G"><node id="a"/>
                <node id="b"/><edge source="a" target="zz"/></graph></graphml>""", "edge at line 2: node 'zz' is not in the file");
        assertProblem("line 1, column 52", """
                <graphml><graph id="G"><node id="a"/><node id="a"/></graph></graphml>""", "node 'a': the id is used by another node too");
        assertProblem("line 2, column 51", """
                <graphml><key id="w" for="node" attr.name="weight" attr.type="double"/>
                <graph id="G" edgedefault="directed"><node id="a"><data key="w">heavy</data></node></graph></graphml>""",
                "node 'a': weight 'heavy' is not a number");
        assertProblem("line 1, column 80", "<graphml><graph id='G'><node id='a'/>" + "<node id='b'/>".repeat(3) + "</graph></graphml>",
                "more than 3 nodes", new ImportLimits(3, 10, 10));
        assertProblem("line 1, column 55", "<graphml><graph id='G'><node id='a'><g><g><g><g><g><g><g/></g></g></g></g></g></g></node></graph></graphml>",
                "nested deeper than 8 elements", new ImportLimits(3, 10, 8));
    }

    private static void assertProblem(String where, String file, String what) {
        assertProblem(where, file, what, CanvasFormatTest.LIMITS);
    }

    private static void assertProblem(String where, String file, String what, ImportLimits limits) {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> GraphMlFormat.read(file.getBytes(StandardCharsets.UTF_8),
                limits, GeneratedConcepts.TYPES, null));
        assertEquals(422, problem.status());
        assertEquals("invalid-file", problem.slug());
        assertTrue(problem.errors().get(0).message().startsWith(what), problem.errors().get(0).message());
        assertEquals(where, problem.errors().get(0).field(), problem.errors().get(0).message());
    }

    private static Imported read(String file) {
        return GraphMlFormat.read(file.getBytes(StandardCharsets.UTF_8), CanvasFormatTest.LIMITS, GeneratedConcepts.TYPES, null);
    }
}
