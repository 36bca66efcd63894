package io.dialectica.concept.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON Canvas 1.0 (jsoncanvas.org, Obsidian's canvas files). The mapping, with what it loses, is docs/formats.md's
 * "JSON Canvas" table: a text node per category at its position ({@code ## name}, a blank line, the description),
 * its width from its weight; an edge per relation labelled {@code TYPE (weight): rationale} with an arrow at its
 * end; the concept as a group around them, its description a text node with the group's id and
 * {@code -description}. Ids are the category, relation and concept ids, and the order that of the concept's own
 * answer, so an unchanged concept exports to the same bytes.
 */
public final class CanvasFormat {

    /** A category's node is {@code MIN_WIDTH} plus 3 px per hundredth of its weight wide (120 to 420 px). */
    static final int MIN_WIDTH = 120;
    static final int WIDTH_PER_WEIGHT = 300;
    static final int HEIGHT = 60;
    static final int PADDING = 40;
    static final int DESCRIPTION_HEIGHT = 100;
    static final String DESCRIPTION_SUFFIX = "-description";

    /** {@code NEGATES (0.8): rationale}; the weight and rationale are optional. */
    private static final Pattern LABEL = Pattern.compile("(?s)\\s*([A-Za-z_]+)\\s*(?:\\(([^)]*)\\))?\\s*(?::(.*))?");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+");
    /** A first line wholly in bold, as people title a card; not checked after a heading, which export always writes. */
    private static final Pattern BOLD = Pattern.compile("(\\*\\*|__)(.+)\\1");

    private CanvasFormat() {
    }

    // ---- export --------------------------------------------------------------------------------------------------

    public static String write(ConceptView concept) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setPrettyPrinter(new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("\t", "\n"))
                    .withArrayIndenter(new DefaultIndenter("\t", "\n")));
            long minX = 0, minY = 0, maxX = 0, maxY = 0;
            boolean first = true;
            for (CategoryView category : concept.categories()) {
                long x = Math.round(category.x());
                long y = Math.round(category.y());
                minX = first ? x : Math.min(minX, x);
                minY = first ? y : Math.min(minY, y);
                maxX = first ? x + width(category.weight()) : Math.max(maxX, x + width(category.weight()));
                maxY = first ? y + HEIGHT : Math.max(maxY, y + HEIGHT);
                first = false;
            }
            long top = minY;
            if (concept.description() != null) {
                top = minY - DESCRIPTION_HEIGHT - PADDING;
                maxX = Math.max(maxX, minX + 400);
            }
            json.writeStartObject();
            json.writeArrayFieldStart("nodes");
            json.writeStartObject();
            json.writeStringField("id", concept.id().toString());
            json.writeStringField("type", "group");
            json.writeStringField("label", concept.name());
            json.writeNumberField("x", minX - PADDING);
            json.writeNumberField("y", top - PADDING);
            json.writeNumberField("width", maxX - minX + 2 * PADDING);
            json.writeNumberField("height", maxY - top + 2 * PADDING);
            json.writeEndObject();
            if (concept.description() != null) {
                json.writeStartObject();
                json.writeStringField("id", concept.id() + DESCRIPTION_SUFFIX);
                json.writeStringField("type", "text");
                json.writeStringField("text", concept.description());
                json.writeNumberField("x", minX);
                json.writeNumberField("y", top);
                json.writeNumberField("width", maxX - minX);
                json.writeNumberField("height", DESCRIPTION_HEIGHT);
                json.writeEndObject();
            }
            for (CategoryView category : concept.categories()) {
                json.writeStartObject();
                json.writeStringField("id", category.id().toString());
                json.writeStringField("type", "text");
                json.writeStringField("text", "## " + category.name()
                        + (category.description() == null ? "" : "\n\n" + category.description()));
                json.writeNumberField("x", Math.round(category.x()));
                json.writeNumberField("y", Math.round(category.y()));
                json.writeNumberField("width", width(category.weight()));
                json.writeNumberField("height", HEIGHT);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("edges");
            for (RelationView relation : concept.relations()) {
                json.writeStartObject();
                json.writeStringField("id", relation.id().toString());
                json.writeStringField("fromNode", relation.fromCategoryId().toString());
                json.writeStringField("fromEnd", "none");
                json.writeStringField("toNode", relation.toCategoryId().toString());
                json.writeStringField("toEnd", "arrow");
                json.writeStringField("label", label(relation));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.append('\n').toString();
    }

    static long width(double weight) {
        return MIN_WIDTH + 3 * Math.round(weight * 100);
    }

    /** The weight a node of this width stands for: to 2 decimals, 0 to 1. */
    static double weight(double width) {
        double weight = (width - MIN_WIDTH) / WIDTH_PER_WEIGHT;
        return BigDecimal.valueOf(Math.max(0, Math.min(1, weight))).setScale(2, RoundingMode.HALF_UP).doubleValue();
    }

    static String label(RelationView relation) {
        return relation.type() + " (" + relation.weight() + ")"
                + (relation.rationale() == null ? "" : ": " + relation.rationale());
    }

    // ---- import --------------------------------------------------------------------------------------------------

    private record Node(int index, String id, String type, JsonNode json, double x, double y, double width) {

        String where() {
            return "node '" + id + "'";
        }
    }

    public static Imported read(byte[] body, ImportLimits limits, Set<String> relationTypes, String nameOverride) {
        JsonNode root = JsonFiles.parse(body, limits);
        if (!root.isObject()) {
            throw FileProblems.invalid("body", "a JSON Canvas file is a JSON object with nodes and edges");
        }
        JsonNode nodes = JsonFiles.array(root, "nodes");
        JsonNode edges = JsonFiles.array(root, "edges");
        if (nodes.size() > limits.maxNodes()) {
            throw FileProblems.invalid("nodes", nodes.size() + " nodes; at most " + limits.maxNodes() + " are accepted");
        }
        if (edges.size() > limits.maxEdges()) {
            throw FileProblems.invalid("edges", edges.size() + " edges; at most " + limits.maxEdges() + " are accepted");
        }

        Map<String, Node> byId = new HashMap<>();
        List<Node> ordered = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode json = nodes.get(i);
            String path = "nodes[" + i + "]";
            if (!json.isObject()) {
                throw FileProblems.invalid(path, "a node is a JSON object");
            }
            String id = requiredText(json, path, "id", null);
            String type = requiredText(json, path, "type", id);
            Node node = new Node(i, id, type, json, number(json, path, "x", id), number(json, path, "y", id),
                    number(json, path, "width", id));
            number(json, path, "height", id);
            if (byId.putIfAbsent(id, node) != null) {
                throw FileProblems.invalid(path + ".id", "node '" + id + "': the id is used by another node too");
            }
            ordered.add(node);
        }

        ConceptDraft draft = new ConceptDraft(relationTypes);
        Node group = ordered.stream().filter(n -> n.type().equals("group")).findFirst().orElse(null);
        String descriptionId = group == null ? null : group.id() + DESCRIPTION_SUFFIX;
        if (group != null) {
            draft.name(group.where(), optionalText(group.json(), "label"));
        }
        for (Node node : ordered) {
            switch (node.type()) {
                case "text" -> {
                    String text = requiredText(node.json(), "nodes[" + node.index() + "]", "text", node.id());
                    if (node.id().equals(descriptionId)) {
                        draft.description(node.where(), text);
                    } else {
                        category(draft, node, text);
                    }
                }
                case "file" -> {
                    String file = requiredText(node.json(), "nodes[" + node.index() + "]", "file", node.id());
                    String base = file.substring(file.lastIndexOf('/') + 1);
                    int dot = base.lastIndexOf('.');
                    draft.category(node.where(), dot > 0 ? base.substring(0, dot) : base, null, weight(node.width()),
                            node.x(), node.y());
                }
                case "group" -> {
                    if (node != group) {
                        draft.unmapped(node.where(), "a second group; only the first names the concept");
                    }
                }
                case "link" -> draft.unmapped(node.where(), "a link node (" + optionalText(node.json(), "url")
                        + ") is not a category; left out");
                default -> draft.unmapped(node.where(), "node type '" + node.type() + "' is not in JSON Canvas 1.0; left out");
            }
        }

        for (int i = 0; i < edges.size(); i++) {
            JsonNode json = edges.get(i);
            String path = "edges[" + i + "]";
            if (!json.isObject()) {
                throw FileProblems.invalid(path, "an edge is a JSON object");
            }
            String id = requiredText(json, path, "id", null);
            String where = "edge '" + id + "'";
            String from = requiredText(json, path, "fromNode", id);
            String to = requiredText(json, path, "toNode", id);
            for (String end : new String[] {from, to}) {
                if (!byId.containsKey(end)) {
                    throw FileProblems.invalid(path, where + ": node '" + end + "' is not in the file");
                }
            }
            boolean arrowAtStart = "arrow".equals(optionalText(json, "fromEnd"));
            boolean arrowAtEnd = !"none".equals(optionalText(json, "toEnd")); // the spec's default end is an arrow
            if (arrowAtStart && !arrowAtEnd) {
                String swap = from;
                from = to;
                to = swap;
            } else if (arrowAtStart == arrowAtEnd) {
                draft.unmapped(where, "has " + (arrowAtStart ? "arrows at both ends" : "no arrow")
                        + "; read from fromNode to toNode");
            }
            String label = optionalText(json, "label");
            String type = null;
            Double weight = null;
            String rationale = label == null || label.isBlank() ? null : label.strip();
            Matcher m = label == null ? null : LABEL.matcher(label);
            if (m != null && m.matches() && relationTypes.contains(m.group(1).toUpperCase(Locale.ROOT))) {
                type = m.group(1);
                rationale = m.group(3) == null || m.group(3).isBlank() ? null : m.group(3).strip();
                if (m.group(2) != null) {
                    try {
                        weight = Double.valueOf(m.group(2).strip());
                        if (!Double.isFinite(weight)) {
                            throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        throw FileProblems.invalid(path + ".label", where + ": the weight '" + m.group(2) + "' is not a number");
                    }
                }
            }
            draft.relation(where, "node '" + from + "'", "node '" + to + "'",
                    type, weight, rationale);
        }
        return draft.build(nameOverride, "Imported canvas");
    }

    /**
     * {@code ## Being} and a description after it: the first line names the category, without the marks of a Markdown
     * heading, or of bold when the whole line is bold.
     */
    private static void category(ConceptDraft draft, Node node, String text) {
        int newline = text.indexOf('\n');
        String first = (newline < 0 ? text : text.substring(0, newline)).strip();
        String rest = newline < 0 ? null : text.substring(newline + 1).strip();
        Matcher heading = HEADING.matcher(first);
        Matcher bold = BOLD.matcher(first);
        String name = heading.find() ? first.substring(heading.end()) : bold.matches() ? bold.group(2) : first;
        draft.category(node.where(), name, rest == null || rest.isEmpty() ? null : rest, weight(node.width()),
                node.x(), node.y());
    }

    private static String requiredText(JsonNode json, String path, String field, String id) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual() || (field.equals("id") && value.asText().isBlank())) {
            throw FileProblems.invalid(path + "." + field, (id == null ? "" : "'" + id + "': ")
                    + field + " is required and must be " + (field.equals("id") ? "a non-empty string" : "a string"));
        }
        return value.asText();
    }

    private static String optionalText(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static double number(JsonNode json, String path, String field, String id) {
        JsonNode value = json.get(field);
        if (value == null || !value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw FileProblems.invalid(path + "." + field, "node '" + id + "': " + field + " is required and must be a number");
        }
        return value.asDouble();
    }
}
