package io.dialectica.concept.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AIF (AIFdb's JSON): exact round trips, the argument structure of the export, an AIFdb-style file. */
class AifFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Provide
    Arbitrary<ConceptView> any() {
        return GeneratedConcepts.concepts(false, false);
    }

    @Property(tries = 300)
    void roundTripKeepsTheConcept(@ForAll("any") ConceptView concept) {
        Imported imported = read(AifFormat.write(concept));
        GeneratedConcepts.assertSame(GeneratedConcepts.asInput(concept, true), imported.concept());
        assertEquals(List.of(), imported.unmapped());
    }

    /**
     * Read as AIF alone (without the dialectica object): an I-node per category, an S-node per relation (CA for the
     * attacking and contradicting types, RA for the rest) with one edge from its premise and one to its conclusion.
     */
    @Property(tries = 100)
    void theExportIsAnArgumentGraph(@ForAll("any") ConceptView concept) throws IOException {
        JsonNode aif = JSON.readTree(AifFormat.write(concept));
        Map<String, JsonNode> nodes = new HashMap<>();
        aif.get("nodes").forEach(n -> nodes.put(n.get("nodeID").asText(), n));
        assertEquals(concept.categories().size() + concept.relations().size(), nodes.size());
        for (CategoryView category : concept.categories()) {
            JsonNode node = nodes.get(category.id().toString());
            assertEquals("I", node.get("type").asText());
            assertEquals(category.name(), node.get("text").asText());
        }
        Set<String> edges = new HashSet<>();
        aif.get("edges").forEach(e -> edges.add(e.get("fromID").asText() + ">" + e.get("toID").asText()));
        assertEquals(2 * concept.relations().size(), edges.size());
        for (RelationView relation : concept.relations()) {
            JsonNode node = nodes.get(relation.id().toString());
            assertEquals(AifFormat.CONFLICTS.contains(relation.type()) ? "CA" : "RA", node.get("type").asText());
            assertEquals(relation.type(), node.get("text").asText());
            assertTrue(edges.contains(relation.fromCategoryId() + ">" + relation.id()));
            assertTrue(edges.contains(relation.id() + ">" + relation.toCategoryId()));
        }
        assertEquals(List.of(), JSON.convertValue(aif.get("locutions"), List.class));
        assertEquals(List.of(), JSON.convertValue(aif.get("participants"), List.class));
    }

    /** AIFdb's own shape: scheme nodes named "Default Inference" / "Default Conflict", dialogue nodes, numeric ids. */
    @Example
    void anAifdbStyleFileImports() {
        Imported imported = read(new String(CanvasFormatTest.resource("aifdb-style.json"), StandardCharsets.UTF_8));
        ConceptInput concept = imported.concept();
        assertEquals("Imported AIF", concept.name());
        assertEquals(List.of(
                new CategoryInput("Pure being is pure indeterminacy, and so it is nothing.", null, null, null, null),
                new CategoryInput("Being and nothing are the same.", null, null, null, null),
                new CategoryInput("Being and nothing are absolutely distinct.", null, null, null, null)), concept.categories());
        assertEquals(List.of(
                new RelationInput("Pure being is pure indeterminacy, and so it is nothing.", "Being and nothing are the same.",
                        "IMPLIES", null, "Default Inference"),
                new RelationInput("Being and nothing are absolutely distinct.", "Being and nothing are the same.",
                        "NEGATES", null, "Default Conflict")), concept.relations());
        assertEquals(List.of(
                new Unmapped("node '106'", "a dialogue node (L) is not part of a concept; left out"),
                new Unmapped("node '107'", "a dialogue node (YA) is not part of a concept; left out"),
                new Unmapped("node '103'", "'Default Inference' is no relation type; a RA-node is imported as IMPLIES"),
                new Unmapped("node '105'", "'Default Conflict' is no relation type; a CA-node is imported as NEGATES"),
                new Unmapped("file", "names no concept; imported as 'Imported AIF' (the name parameter sets one)")),
                imported.unmapped());
    }

    @Example
    void badFilesSayWhereAndWhat() {
        assertProblem("line 1, column 12", "{\"nodes\": [", "not JSON");
        assertProblem("nodes[0].type", "{\"nodes\": [{\"nodeID\": 1, \"text\": \"A\"}]}", "node '1': type is required");
        assertProblem("edges[0]", "{\"nodes\": [{\"nodeID\": 1, \"text\": \"A\", \"type\": \"I\"}], "
                + "\"edges\": [{\"edgeID\": 9, \"fromID\": 1, \"toID\": 2}]}", "edge '9': node '2' is not in the file");
        assertProblem("nodes[1].nodeID", "{\"nodes\": [{\"nodeID\": \"a\", \"type\": \"I\"}, {\"nodeID\": \"a\", \"type\": \"I\"}]}",
                "node 'a': the id is used by another node too");
    }

    private static void assertProblem(String where, String file, String what) {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> read(file));
        assertEquals(422, problem.status());
        assertEquals("invalid-file", problem.slug());
        assertEquals(where, problem.errors().get(0).field(), problem.errors().get(0).message());
        assertTrue(problem.errors().get(0).message().startsWith(what), problem.errors().get(0).message());
    }

    private static Imported read(String file) {
        return AifFormat.read(file.getBytes(StandardCharsets.UTF_8), CanvasFormatTest.LIMITS, GeneratedConcepts.TYPES, null);
    }
}
