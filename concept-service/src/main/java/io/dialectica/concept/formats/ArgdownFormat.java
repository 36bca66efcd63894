package io.dialectica.concept.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.concept.service.CanonicalNames;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Argdown (argdown.org), the plain-text argument-mapping language. A statement per category ({@code [name]: text
 * {data}}, the data block holding weight, x, y and the exact description); IMPLIES and GROUNDS drawn as support
 * ({@code +>}), NEGATES and OPPOSES as attack ({@code ->}), CONTRADICTS as contradiction ({@code ><}) under the
 * statement they start from. Argdown has no arrow for the other five types and no place for a relation's weight or
 * rationale, so every relation is also listed, exactly, in the front matter's {@code dialectica.relations} (YAML, written
 * as JSON, which YAML reads); an import takes the relations from there and adds any arrow the list does not cover. The
 * table is docs/formats.md's "Argdown". The reader takes the subset of Argdown that maps to a concept: front matter,
 * top-level statements and their relation lists; arguments, headings and comments are skipped (arguments listed).
 */
public final class ArgdownFormat {

    static final Set<String> SUPPORT = Set.of("IMPLIES", "GROUNDS");
    static final Set<String> ATTACK = Set.of("NEGATES", "OPPOSES");
    static final Set<String> CONTRADICTION = Set.of("CONTRADICTS");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ELEMENT = Pattern.compile("^\\[([^\\]]+)\\](:?)\\s*(.*)$");
    private static final Pattern ARGUMENT = Pattern.compile("^<([^>]+)>.*$");
    private static final Pattern RELATION = Pattern.compile("^(\\+>|->|><|<\\+|<-|_>|<_|\\+|-)\\s+(.*)$");
    /** Characters Argdown reads as markup in a statement's text; the exact description is in the data block. */
    private static final Pattern MARKUP = Pattern.compile("[\\[\\]{}<>#@*_`\\\\/]+");
    private static final Pattern TITLE_MARKUP = Pattern.compile("[{}<>#@*_`~\\\\/+=-]");

    private ArgdownFormat() {
    }

    // ---- export --------------------------------------------------------------------------------------------------

    public static String write(ConceptView concept) {
        StringBuilder out = new StringBuilder("===\n");
        out.append("title: ").append(json(JsonNodeFactory.instance.textNode(concept.name()))).append('\n');
        if (concept.description() != null) {
            out.append("description: ").append(json(JsonNodeFactory.instance.textNode(concept.description()))).append('\n');
        }
        if (concept.tradition() != null) {
            out.append("tradition: ").append(json(JsonNodeFactory.instance.textNode(concept.tradition()))).append('\n');
        }
        if (!concept.relations().isEmpty()) {
            ArrayNode relations = JsonNodeFactory.instance.arrayNode();
            for (RelationView relation : concept.relations()) {
                ObjectNode r = relations.addObject();
                r.put("from", relation.from());
                r.put("to", relation.to());
                r.put("type", relation.type());
                r.put("weight", relation.weight());
                if (relation.rationale() != null) {
                    r.put("rationale", relation.rationale());
                }
            }
            ObjectNode dialectica = JsonNodeFactory.instance.objectNode();
            dialectica.set("relations", relations);
            out.append("dialectica: ").append(json(dialectica)).append('\n');
        }
        out.append("===\n");
        // a heading for the reader; Argdown also needs content after the front matter, even for a concept of nothing
        String heading = flat(concept.name());
        out.append("\n# ").append(heading.isEmpty() ? "Concept" : heading).append('\n');

        Map<java.util.UUID, String> titles = titles(concept.categories());
        for (CategoryView category : concept.categories()) {
            String title = titles.get(category.id());
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("weight", category.weight());
            data.put("x", category.x());
            data.put("y", category.y());
            if (!title.equals(category.name())) {
                data.put("name", category.name());
            }
            String text = null;
            if (category.description() != null) {
                data.put("description", category.description());
                text = flat(category.description());
            }
            out.append("\n[").append(title).append(']');
            out.append(text == null || text.isEmpty() ? " " : ": " + text + " ").append(json(data)).append('\n');
            for (RelationView relation : concept.relations()) {
                String arrow = arrow(relation.type());
                if (arrow != null && relation.fromCategoryId().equals(category.id())) {
                    out.append("  ").append(arrow).append(" [").append(titles.get(relation.toCategoryId())).append("]\n");
                }
            }
        }
        return out.toString();
    }

    /** Text without what Argdown reads as markup, on one line: the exact text is kept elsewhere (front matter, data). */
    static String flat(String text) {
        return MARKUP.matcher(text).replaceAll(" ").replaceAll("\\s+", " ").strip();
    }

    static String arrow(String type) {
        return SUPPORT.contains(type) ? "+>" : ATTACK.contains(type) ? "->" : CONTRADICTION.contains(type) ? "><" : null;
    }

    /**
     * A statement title cannot hold brackets (they become parentheses) and reads markup (emphasis, tags, mentions):
     * those characters are escaped with a backslash, which Argdown keeps in the title. Whenever the title is not the
     * name, the exact name goes in the data. Titles stay distinct.
     */
    static Map<java.util.UUID, String> titles(List<CategoryView> categories) {
        Map<java.util.UUID, String> titles = new HashMap<>();
        Set<String> taken = new HashSet<>();
        for (CategoryView category : categories) {
            String base = TITLE_MARKUP.matcher(category.name().replace(']', ')').replace('[', '('))
                    .replaceAll("\\\\$0");
            String title = base;
            for (int n = 2; !taken.add(title); n++) {
                title = base + " (" + n + ")";
            }
            titles.put(category.id(), title);
        }
        return titles;
    }

    /** One line of JSON (YAML reads it); the characters YAML would take for line breaks are escaped too. */
    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node).replace("\u0085", "\\u0085").replace("\u2028", "\\u2028")
                    .replace("\u2029", "\\u2029").replace("\uFEFF", "\\uFEFF");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    // ---- import --------------------------------------------------------------------------------------------------

    private static final class Statement {
        final String title;
        final int line;
        String text;
        JsonNode data;

        Statement(String title, int line) {
            this.title = title;
            this.line = line;
        }

        String where() {
            return "statement [" + title + "]";
        }
    }

    private record Arrow(String from, String kind, String to, int line) {
    }

    public static Imported read(byte[] body, ImportLimits limits, Set<String> relationTypes, String nameOverride) {
        String text = utf8(body);
        if (text.isBlank()) {
            throw FileProblems.invalid("body", "the file is empty");
        }
        YAMLMapper yaml = YAMLMapper.builder(YAMLFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxDepth()).build())
                .build()).build();
        String[] lines = text.split("\r?\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].isBlank()) {
            i++;
        }
        JsonNode front = JsonNodeFactory.instance.objectNode();
        if (i < lines.length && lines[i].strip().equals("===")) {
            int start = ++i;
            while (i < lines.length && !lines[i].strip().equals("===")) {
                i++;
            }
            if (i == lines.length) {
                throw FileProblems.invalid("line " + start, "the front matter opened here is not closed by ===");
            }
            String block = String.join("\n", java.util.Arrays.asList(lines).subList(start, i));
            front = parseYaml(yaml, block, start + 1, "front matter");
            i++;
        }

        Map<String, Statement> statements = new LinkedHashMap<>();
        List<Statement> defined = new ArrayList<>();
        List<Arrow> arrows = new ArrayList<>();
        List<Unmapped> skipped = new ArrayList<>();
        List<int[]> stackIndent = new ArrayList<>();
        List<String> stackTitle = new ArrayList<>();
        boolean inComment = false;
        for (; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].replace("\t", "    ");
            String stripped = line.strip();
            if (inComment) {
                inComment = !stripped.contains("*/");
                continue;
            }
            if (stripped.startsWith("/*")) {
                inComment = !stripped.contains("*/");
                continue;
            }
            if (stripped.isEmpty()) {
                stackIndent.clear();
                stackTitle.clear();
                continue;
            }
            if (stripped.startsWith("//") || stripped.startsWith("#")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            String element = stripped;
            String operator = null;
            if (indent > 0) {
                Matcher relation = RELATION.matcher(stripped);
                if (!relation.matches()) {
                    continue; // a continued text line
                }
                operator = relation.group(1);
                element = relation.group(2);
                while (!stackIndent.isEmpty() && stackIndent.get(stackIndent.size() - 1)[0] >= indent) {
                    stackIndent.remove(stackIndent.size() - 1);
                    stackTitle.remove(stackTitle.size() - 1);
                }
            } else {
                stackIndent.clear();
                stackTitle.clear();
            }
            Matcher m = ELEMENT.matcher(element);
            if (!m.matches()) {
                if (ARGUMENT.matcher(element).matches()) {
                    skipped.add(new Unmapped("line " + lineNo, "an argument is not a category; left out"));
                } else if (indent == 0) {
                    skipped.add(new Unmapped("line " + lineNo, "text outside a statement; left out"));
                }
                stackIndent.add(new int[] {indent});
                stackTitle.add(null);
                continue;
            }
            String title = m.group(1).strip();
            Statement statement = statements.get(title);
            if (statement == null) {
                if (statements.size() == limits.maxNodes()) {
                    throw FileProblems.invalid("line " + lineNo, "more than " + limits.maxNodes() + " statements");
                }
                statement = new Statement(title, lineNo);
                statements.put(title, statement);
            }
            if (indent == 0 && !defined.contains(statement)) {
                defined.add(statement);
            }
            content(yaml, statement, m.group(3), lineNo);
            String parent = stackTitle.isEmpty() ? null : stackTitle.get(stackTitle.size() - 1);
            if (operator != null && parent != null) {
                if (arrows.size() == limits.maxEdges()) {
                    throw FileProblems.invalid("line " + lineNo, "more than " + limits.maxEdges() + " relations");
                }
                switch (operator) {
                    case "+>" -> arrows.add(new Arrow(parent, "support", title, lineNo));
                    case "->" -> arrows.add(new Arrow(parent, "attack", title, lineNo));
                    case "><" -> arrows.add(new Arrow(parent, "contradiction", title, lineNo));
                    case "+", "<+" -> arrows.add(new Arrow(title, "support", parent, lineNo));
                    case "-", "<-" -> arrows.add(new Arrow(title, "attack", parent, lineNo));
                    default -> skipped.add(new Unmapped("line " + lineNo, "an undercut attacks an inference, not a category; left out"));
                }
            }
            stackIndent.add(new int[] {indent});
            stackTitle.add(title);
        }

        ConceptDraft draft = new ConceptDraft(relationTypes);
        draft.name("front matter", textField(front, "title"));
        draft.description("front matter", textField(front, "description"));
        draft.tradition("front matter", textField(front, "tradition"));
        List<Statement> ordered = new ArrayList<>(defined);
        statements.values().stream().filter(s -> !defined.contains(s)).forEach(ordered::add);
        Map<String, String> sourceByName = new HashMap<>();
        for (Statement statement : ordered) {
            JsonNode data = statement.data == null ? JsonNodeFactory.instance.objectNode() : statement.data;
            String name = textField(data, "name") != null ? textField(data, "name") : statement.title;
            String description = textField(data, "description") != null ? textField(data, "description")
                    : statement.text == null || statement.text.isBlank() ? null : statement.text.strip();
            sourceByName.putIfAbsent(CanonicalNames.canonical(name), statement.where());
            draft.category(statement.where(), name, description, number(data, "weight", statement),
                    number(data, "x", statement), number(data, "y", statement));
        }
        skipped.forEach(u -> draft.unmapped(u.at(), u.what()));

        JsonNode listed = front.path("dialectica").path("relations");
        Set<String> covered = new HashSet<>();
        if (!listed.isMissingNode() && !listed.isArray()) {
            throw FileProblems.invalid("front matter dialectica.relations", "must be a list");
        }
        for (int r = 0; r < listed.size(); r++) {
            JsonNode relation = listed.get(r);
            String where = "front matter dialectica.relations[" + r + "]";
            String from = textField(relation, "from");
            String to = textField(relation, "to");
            String type = textField(relation, "type");
            if (from == null || to == null) {
                throw FileProblems.invalid(where, "from and to are required");
            }
            String fromKey = sourceByName.getOrDefault(CanonicalNames.canonical(from), "statement [" + from + "]");
            String toKey = sourceByName.getOrDefault(CanonicalNames.canonical(to), "statement [" + to + "]");
            JsonNode weight = relation.get("weight");
            if (weight != null && !weight.isNull() && !weight.isNumber()) {
                throw FileProblems.invalid(where + ".weight", "must be a number");
            }
            draft.relation(where, fromKey, toKey, type, weight == null || weight.isNull() ? null : weight.asDouble(),
                    textField(relation, "rationale"));
            String code = type == null ? "" : type.strip().toUpperCase(Locale.ROOT);
            String kind = SUPPORT.contains(code) ? "support" : ATTACK.contains(code) ? "attack"
                    : CONTRADICTION.contains(code) ? "contradiction" : null;
            if (kind != null) {
                covered.add(fromKey + "\u0000" + kind + "\u0000" + toKey);
                if (kind.equals("contradiction")) {
                    covered.add(toKey + "\u0000" + kind + "\u0000" + fromKey);
                }
            }
        }
        for (Arrow arrow : arrows) {
            String fromKey = statements.get(arrow.from()).where();
            String toKey = statements.get(arrow.to()).where();
            if (covered.add(fromKey + "\u0000" + arrow.kind() + "\u0000" + toKey)) {
                String type = switch (arrow.kind()) {
                    case "support" -> "IMPLIES";
                    case "attack" -> "NEGATES";
                    default -> "CONTRADICTS";
                };
                draft.relation("line " + arrow.line(), fromKey, toKey, type, null, null);
            }
        }
        return draft.build(nameOverride, "Imported Argdown");
    }

    /** {@code text {data}}: the data block is the first '{' from which the rest of the line is a YAML mapping. */
    private static void content(YAMLMapper yaml, Statement statement, String rest, int lineNo) {
        String text = rest;
        JsonNode data = null;
        for (int at = rest.indexOf('{'); at >= 0; at = rest.indexOf('{', at + 1)) {
            try {
                JsonNode parsed = yaml.readTree(rest.substring(at));
                if (parsed != null && parsed.isObject()) {
                    data = parsed;
                    text = rest.substring(0, at);
                    break;
                }
            } catch (JsonProcessingException e) {
                // not the data block: text
            }
        }
        if (!text.isBlank() && statement.text == null) {
            statement.text = text.strip();
        }
        if (data != null) {
            if (statement.data instanceof ObjectNode merged) {
                merged.setAll((ObjectNode) data);
            } else {
                statement.data = data;
            }
        }
    }

    private static JsonNode parseYaml(YAMLMapper yaml, String block, int firstLine, String what) {
        try {
            JsonNode node = yaml.readTree(block);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw FileProblems.invalid("line " + firstLine, "the " + what + " must be a YAML mapping");
            }
            return node;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw FileProblems.invalid("line " + (firstLine + Math.max(0, line - 1)), "the " + what + " is not YAML: "
                    + e.getOriginalMessage());
        }
    }

    private static String textField(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static Double number(JsonNode data, String field, Statement statement) {
        JsonNode value = data.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw FileProblems.invalid("line " + statement.line, statement.where() + ": " + field + " must be a number");
        }
        return value.asDouble();
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw FileProblems.invalid("body", "not UTF-8 text");
        }
    }
}
