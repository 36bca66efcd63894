package io.dialectica.concept.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AIF, the Argument Interchange Format, in the JSON AIFdb serves ({@code nodes} with nodeID, text, type, timestamp;
 * {@code edges} with edgeID, fromID, toID; {@code locutions}, {@code participants}). A category is an I-node (its
 * information); a relation goes through an S-node: an RA-node (inference) for IMPLIES and GROUNDS, a CA-node
 * (conflict) for NEGATES, OPPOSES and CONTRADICTS, and, AIF having no scheme node for them, an RA-node for the other
 * five; the S-node's text is the relation type. What AIF has no field for (the concept's name, description and
 * tradition, positions, weights, descriptions, rationales) is in a top-level {@code dialectica} object, which AIF
 * readers ignore and an import reads back. The table is docs/formats.md's "AIF".
 */
public final class AifFormat {

    static final Set<String> CONFLICTS = Set.of("NEGATES", "OPPOSES", "CONTRADICTS");
    /** AIFdb's timestamps; fixed so that an unchanged concept exports to the same bytes. */
    static final String TIMESTAMP = "1970-01-01 00:00:00";
    static final int NAME_LENGTH = 200;

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private AifFormat() {
    }

    // ---- export --------------------------------------------------------------------------------------------------

    public static String write(ConceptView concept) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode nodes = root.putArray("nodes");
        ArrayNode edges = root.putArray("edges");
        root.putArray("locutions");
        root.putArray("participants");
        ObjectNode extra = f.objectNode();
        extra.put("name", concept.name());
        if (concept.description() != null) {
            extra.put("description", concept.description());
        }
        if (concept.tradition() != null) {
            extra.put("tradition", concept.tradition());
        }
        ObjectNode categories = extra.putObject("categories");
        for (CategoryView category : concept.categories()) {
            ObjectNode node = nodes.addObject();
            node.put("nodeID", category.id().toString());
            node.put("text", category.name());
            node.put("type", "I");
            node.put("timestamp", TIMESTAMP);
            ObjectNode data = categories.putObject(category.id().toString());
            data.put("weight", category.weight());
            data.put("x", category.x());
            data.put("y", category.y());
            if (category.description() != null) {
                data.put("description", category.description());
            }
        }
        ObjectNode relations = extra.putObject("relations");
        for (RelationView relation : concept.relations()) {
            String id = relation.id().toString();
            ObjectNode node = nodes.addObject();
            node.put("nodeID", id);
            node.put("text", relation.type());
            node.put("type", CONFLICTS.contains(relation.type()) ? "CA" : "RA");
            node.put("timestamp", TIMESTAMP);
            edge(edges, id + "-from", relation.fromCategoryId().toString(), id);
            edge(edges, id + "-to", id, relation.toCategoryId().toString());
            ObjectNode data = relations.putObject(id);
            data.put("weight", relation.weight());
            if (relation.rationale() != null) {
                data.put("rationale", relation.rationale());
            }
        }
        root.set("dialectica", extra);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static void edge(ArrayNode edges, String id, String from, String to) {
        ObjectNode edge = edges.addObject();
        edge.put("edgeID", id);
        edge.put("fromID", from);
        edge.put("toID", to);
    }

    // ---- import --------------------------------------------------------------------------------------------------

    public static Imported read(byte[] body, ImportLimits limits, Set<String> relationTypes, String nameOverride) {
        JsonNode root = JsonFiles.parse(body, limits);
        if (!root.isObject()) {
            throw FileProblems.invalid("body", "an AIF file is a JSON object with nodes and edges");
        }
        JsonNode nodes = JsonFiles.array(root, "nodes");
        JsonNode edges = JsonFiles.array(root, "edges");
        if (nodes.size() > limits.maxNodes()) {
            throw FileProblems.invalid("nodes", nodes.size() + " nodes; at most " + limits.maxNodes() + " are accepted");
        }
        if (edges.size() > limits.maxEdges()) {
            throw FileProblems.invalid("edges", edges.size() + " edges; at most " + limits.maxEdges() + " are accepted");
        }
        JsonNode extra = root.path("dialectica");
        ConceptDraft draft = new ConceptDraft(relationTypes);
        draft.name("dialectica.name", text(extra, "name"));
        draft.description("dialectica.description", text(extra, "description"));
        draft.tradition("dialectica.tradition", text(extra, "tradition"));

        Map<String, String> typeById = new LinkedHashMap<>();
        Map<String, JsonNode> byId = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode node = nodes.get(i);
            String path = "nodes[" + i + "]";
            String id = id(node, "nodeID", path);
            String type = node.path("type").isTextual() ? node.get("type").asText() : null;
            if (type == null) {
                throw FileProblems.invalid(path + ".type", "node '" + id + "': type is required");
            }
            if (byId.putIfAbsent(id, node) != null) {
                throw FileProblems.invalid(path + ".nodeID", "node '" + id + "': the id is used by another node too");
            }
            typeById.put(id, type);
        }
        for (Map.Entry<String, String> node : typeById.entrySet()) {
            String id = node.getKey();
            String where = "node '" + id + "'";
            JsonNode json = byId.get(id);
            switch (node.getValue()) {
                case "I" -> {
                    JsonNode data = extra.path("categories").path(id);
                    String text = text(json, "text");
                    String description = text(data, "description");
                    String name = text;
                    if (text != null && text.strip().length() > NAME_LENGTH) {
                        name = text.strip().substring(0, NAME_LENGTH - 1) + "…";
                        description = description == null ? text.strip() : description;
                        draft.unmapped(where, "its text is longer than a name may be: shortened, the whole text kept as the description");
                    }
                    draft.category(where, name, description, number(data, "weight", where), number(data, "x", where),
                            number(data, "y", where));
                }
                case "RA", "CA", "MA" -> {
                    // read with the edges below
                }
                case "L", "YA", "TA" -> draft.unmapped(where, "a dialogue node (" + node.getValue() + ") is not part of a concept; left out");
                default -> draft.unmapped(where, "node type '" + node.getValue() + "' is not mapped; left out");
            }
        }

        Map<String, List<String>> premises = new LinkedHashMap<>();
        Map<String, List<String>> conclusions = new LinkedHashMap<>();
        for (int i = 0; i < edges.size(); i++) {
            JsonNode edge = edges.get(i);
            String path = "edges[" + i + "]";
            String id = id(edge, "edgeID", path);
            String from = id(edge, "fromID", path);
            String to = id(edge, "toID", path);
            for (String end : new String[] {from, to}) {
                if (!byId.containsKey(end)) {
                    throw FileProblems.invalid(path, "edge '" + id + "': node '" + end + "' is not in the file");
                }
            }
            if (isScheme(typeById.get(to)) && "I".equals(typeById.get(from))) {
                premises.computeIfAbsent(to, k -> new ArrayList<>()).add(from);
            } else if (isScheme(typeById.get(from)) && "I".equals(typeById.get(to))) {
                conclusions.computeIfAbsent(from, k -> new ArrayList<>()).add(to);
            } else if (isScheme(typeById.get(from)) || isScheme(typeById.get(to))) {
                draft.unmapped("edge '" + id + "'", "joins two scheme nodes (an argument about an argument); left out");
            }
        }
        for (Map.Entry<String, String> node : typeById.entrySet()) {
            if (!isScheme(node.getValue())) {
                continue;
            }
            String id = node.getKey();
            String where = "node '" + id + "'";
            List<String> from = premises.getOrDefault(id, List.of());
            List<String> to = conclusions.getOrDefault(id, List.of());
            if (from.isEmpty() || to.isEmpty()) {
                draft.unmapped(where, "a " + node.getValue() + "-node without " + (from.isEmpty() ? "a premise" : "a conclusion")
                        + "; left out");
                continue;
            }
            if (from.size() * to.size() > 1) {
                draft.unmapped(where, "joins " + from.size() + " premises to " + to.size()
                        + " conclusions: one relation each, the linked argument is not kept");
            }
            String text = text(byId.get(id), "text");
            String type = text != null && relationTypes.contains(text.strip().toUpperCase(java.util.Locale.ROOT)) ? text.strip()
                    : null;
            String rationale = null;
            if (type == null) {
                // AIFdb's "Default Inference", "Default Conflict", a scheme's name: the node type decides
                type = switch (node.getValue()) {
                    case "CA" -> "NEGATES";
                    case "MA" -> "ANALOGOUS_TO";
                    default -> "IMPLIES";
                };
                rationale = text;
                draft.unmapped(where, "'" + text + "' is no relation type; a " + node.getValue() + "-node is imported as " + type);
            }
            JsonNode data = extra.path("relations").path(id);
            String dataRationale = text(data, "rationale");
            for (String premise : from) {
                for (String conclusion : to) {
                    draft.relation(where, "node '" + premise + "'", "node '" + conclusion + "'", type,
                            number(data, "weight", where), dataRationale != null ? dataRationale : rationale);
                }
            }
        }
        return draft.build(nameOverride, "Imported AIF");
    }

    private static boolean isScheme(String type) {
        return "RA".equals(type) || "CA".equals(type) || "MA".equals(type);
    }

    /** AIFdb writes ids as numbers, other tools as strings: either is read as text. */
    private static String id(JsonNode json, String field, String path) {
        JsonNode value = json.get(field);
        if (value == null || !(value.isTextual() || value.isIntegralNumber()) || value.asText().isBlank()) {
            throw FileProblems.invalid(path + "." + field, field + " is required: a string or an integer");
        }
        return value.asText();
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static Double number(JsonNode json, String field, String where) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw FileProblems.invalid(where, field + " must be a number");
        }
        return value.asDouble();
    }
}
