package io.dialectica.worker.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.GenerationResult.ProposedCategory;
import io.dialectica.contracts.generation.GenerationResult.ProposedConcept;
import io.dialectica.contracts.generation.GenerationResult.ProposedRelation;
import io.dialectica.contracts.generation.GenerationResult.Thesis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Strict validation of the model's answer against {@code dialectica.theses.v1} /
 * {@code dialectica.synthesis.v1}. Every problem is reported with its JSON path, so the repair
 * round-trip can tell the model exactly what to fix.
 */
public final class OutputValidator {

    public static final Set<String> RELATION_TYPES = Set.of("IMPLIES", "PRESUPPOSES", "NEGATES", "CONTRADICTS",
            "SUBLATES", "GROUNDS", "ANALOGOUS_TO", "PART_OF", "OPPOSES", "EXEMPLIFIES");
    static final int MAX_TEXT = 4000;
    static final int MAX_NAME = 200;
    static final int MIN_SYNTHESIS_CATEGORIES = 2;
    static final int MAX_SYNTHESIS_CATEGORIES = 30;

    private final ObjectMapper mapper;

    public OutputValidator(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Valid theses, or the errors. */
    public record Theses(List<Thesis> theses, List<String> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public record Synthesis(ProposedConcept concept, List<String> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public Theses theses(String text, int count, Set<String> contextCategories) {
        List<String> errors = new ArrayList<>();
        JsonNode root = parse(text, errors);
        if (root == null) {
            return new Theses(List.of(), errors);
        }
        onlyFields(root, "$", Set.of("theses"), errors);
        JsonNode theses = root.get("theses");
        if (theses == null || !theses.isArray()) {
            errors.add("$.theses: required, an array");
            return new Theses(List.of(), errors);
        }
        if (theses.size() != count) {
            errors.add("$.theses: must have exactly " + count + " elements, has " + theses.size());
        }
        Map<String, String> known = new java.util.HashMap<>();
        contextCategories.forEach(c -> known.put(c.toLowerCase(Locale.ROOT), c));
        List<Thesis> out = new ArrayList<>();
        for (int i = 0; i < theses.size(); i++) {
            String p = "$.theses[" + i + "]";
            JsonNode t = theses.get(i);
            if (!t.isObject()) {
                errors.add(p + ": must be an object");
                continue;
            }
            onlyFields(t, p, Set.of("text", "rationale", "categories"), errors);
            String thesis = text(t, "text", p, MAX_TEXT, errors);
            String rationale = text(t, "rationale", p, MAX_TEXT, errors);
            JsonNode cats = t.get("categories");
            List<String> names = new ArrayList<>();
            if (cats == null || !cats.isArray() || cats.isEmpty()) {
                errors.add(p + ".categories: required, a non-empty array of category names from the context");
            } else {
                for (int j = 0; j < cats.size(); j++) {
                    JsonNode c = cats.get(j);
                    String cp = p + ".categories[" + j + "]";
                    if (!c.isTextual()) {
                        errors.add(cp + ": must be a string");
                        continue;
                    }
                    String canonical = known.get(c.asText().strip().toLowerCase(Locale.ROOT));
                    if (canonical == null) {
                        errors.add(cp + ": \"" + c.asText() + "\" is not a category of the context");
                    } else if (!names.contains(canonical)) {
                        names.add(canonical);
                    }
                }
            }
            out.add(new Thesis(i + 1, thesis, rationale, names));
        }
        return new Theses(errors.isEmpty() ? out : List.of(), errors);
    }

    public Synthesis synthesis(String text, List<UUID> sources, String mode) {
        List<String> errors = new ArrayList<>();
        JsonNode root = parse(text, errors);
        if (root == null) {
            return new Synthesis(null, errors);
        }
        onlyFields(root, "$", Set.of("name", "description", "tradition", "categories", "relations"), errors);
        String name = text(root, "name", "$", MAX_NAME, errors);
        String description = text(root, "description", "$", MAX_TEXT, errors);
        String tradition = text(root, "tradition", "$", MAX_NAME, errors);
        List<ProposedCategory> categories = new ArrayList<>();
        Set<String> names = new HashSet<>();
        JsonNode cats = root.get("categories");
        if (cats == null || !cats.isArray()) {
            errors.add("$.categories: required, an array");
        } else {
            if (cats.size() < MIN_SYNTHESIS_CATEGORIES || cats.size() > MAX_SYNTHESIS_CATEGORIES) {
                errors.add("$.categories: must have " + MIN_SYNTHESIS_CATEGORIES + " to " + MAX_SYNTHESIS_CATEGORIES
                        + " elements, has " + cats.size());
            }
            for (int i = 0; i < cats.size(); i++) {
                String p = "$.categories[" + i + "]";
                JsonNode c = cats.get(i);
                if (!c.isObject()) {
                    errors.add(p + ": must be an object");
                    continue;
                }
                onlyFields(c, p, Set.of("name", "description", "weight"), errors);
                String n = text(c, "name", p, MAX_NAME, errors);
                String d = text(c, "description", p, MAX_TEXT, errors);
                double w = weight(c, p, errors);
                if (n != null && !names.add(n.toLowerCase(Locale.ROOT))) {
                    errors.add(p + ".name: \"" + n + "\" appears twice");
                }
                categories.add(new ProposedCategory(n, d, w));
            }
        }
        List<ProposedRelation> relations = new ArrayList<>();
        JsonNode rels = root.get("relations");
        if (rels == null || !rels.isArray()) {
            errors.add("$.relations: required, an array");
        } else {
            for (int i = 0; i < rels.size(); i++) {
                String p = "$.relations[" + i + "]";
                JsonNode r = rels.get(i);
                if (!r.isObject()) {
                    errors.add(p + ": must be an object");
                    continue;
                }
                onlyFields(r, p, Set.of("from", "to", "type", "weight", "rationale"), errors);
                String from = text(r, "from", p, MAX_NAME, errors);
                String to = text(r, "to", p, MAX_NAME, errors);
                String type = text(r, "type", p, 40, errors);
                double w = weight(r, p, errors);
                String rationale = text(r, "rationale", p, MAX_TEXT, errors);
                if (from != null && !names.contains(from.toLowerCase(Locale.ROOT))) {
                    errors.add(p + ".from: \"" + from + "\" is not a category of the proposal");
                }
                if (to != null && !names.contains(to.toLowerCase(Locale.ROOT))) {
                    errors.add(p + ".to: \"" + to + "\" is not a category of the proposal");
                }
                if (from != null && from.equalsIgnoreCase(to)) {
                    errors.add(p + ": a relation joins two different categories");
                }
                if (type != null && !RELATION_TYPES.contains(type)) {
                    errors.add(p + ".type: \"" + type + "\" is not one of " + new java.util.TreeSet<>(RELATION_TYPES));
                }
                relations.add(new ProposedRelation(from, to, type, w, rationale));
            }
        }
        if (!errors.isEmpty()) {
            return new Synthesis(null, errors);
        }
        return new Synthesis(new ProposedConcept(name, description, tradition, categories, relations,
                List.copyOf(sources), mode), errors);
    }

    /** The JSON object in the answer: tolerates Markdown fences and text around one object. */
    JsonNode parse(String text, List<String> errors) {
        if (text == null || text.isBlank()) {
            errors.add("$: the answer is empty, expected one JSON object");
            return null;
        }
        String s = text.strip();
        int start = s.indexOf('{');
        int end = s.lastIndexOf('}');
        if (start < 0 || end < start) {
            errors.add("$: no JSON object in the answer");
            return null;
        }
        try {
            JsonNode node = mapper.readTree(s.substring(start, end + 1));
            if (node == null || !node.isObject()) {
                errors.add("$: must be a JSON object");
                return null;
            }
            return node;
        } catch (JsonProcessingException e) {
            errors.add("$: not valid JSON (" + e.getOriginalMessage() + ")");
            return null;
        }
    }

    private static void onlyFields(JsonNode node, String path, Set<String> allowed, List<String> errors) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f)) {
                errors.add(path + "." + f + ": unknown field (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String path, int max, List<String> errors) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            errors.add(path + "." + field + ": required, a non-empty string");
            return null;
        }
        String s = v.asText().strip();
        if (s.length() > max) {
            errors.add(path + "." + field + ": at most " + max + " characters");
        }
        return s;
    }

    private static double weight(JsonNode node, String path, List<String> errors) {
        JsonNode v = node.get("weight");
        if (v == null || !v.isNumber()) {
            errors.add(path + ".weight: required, a number from 0 to 1");
            return 0;
        }
        double w = v.asDouble();
        if (!(w >= 0 && w <= 1)) {
            errors.add(path + ".weight: must be between 0 and 1, is " + v.asText());
        }
        return w;
    }
}
