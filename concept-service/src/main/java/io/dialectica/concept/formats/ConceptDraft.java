package io.dialectica.concept.formats;

import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.concept.service.CanonicalNames;
import io.dialectica.concept.service.GraphPlan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The concept a file describes, collected node by node and edge by edge with the rules every format shares: two
 * nodes of one name are one category (the first wins, the second is merged into it), an edge must join two
 * different categories, one relation per (from, to, type), an edge without a relation type is IMPLIES with its
 * label kept as the rationale. What does not fit is listed as {@link Unmapped}; the rest of the checks (ranges,
 * lengths) are the normal create's, run on the result.
 */
final class ConceptDraft {

    static final String DEFAULT_TYPE = "IMPLIES";

    private final Set<String> relationTypes;
    private String name;
    private String description;
    private String tradition;
    private final List<CategoryInput> categories = new ArrayList<>();
    private final List<String> categorySources = new ArrayList<>();
    private final Map<String, String> canonicalBySource = new HashMap<>();
    private final Map<String, String> sourceByCanonical = new HashMap<>();
    private final Map<String, String> nameByCanonical = new HashMap<>();
    private final List<RelationInput> relations = new ArrayList<>();
    private final List<String> relationSources = new ArrayList<>();
    private final Set<String> relationKeys = new HashSet<>();
    private final List<Unmapped> unmapped = new ArrayList<>();

    ConceptDraft(Set<String> relationTypes) {
        this.relationTypes = relationTypes;
    }

    void name(String where, String name) {
        FileProblems.checkText(where, name);
        this.name = name;
    }

    boolean hasName() {
        return name != null && !name.isBlank();
    }

    void description(String where, String description) {
        FileProblems.checkText(where, description);
        this.description = description;
    }

    void tradition(String where, String tradition) {
        FileProblems.checkText(where, tradition);
        this.tradition = tradition;
    }

    void unmapped(String at, String what) {
        unmapped.add(new Unmapped(at, what));
    }

    /** A category from the node {@code source}; a name already taken merges the node into that category. */
    void category(String source, String name, String description, Double weight, Double x, Double y) {
        FileProblems.checkText(source, name);
        FileProblems.checkText(source, description);
        if (name == null || name.isBlank()) {
            unmapped(source, "a node without a name (no text or label) is not a category");
            return;
        }
        String canonical = CanonicalNames.canonical(name);
        String first = sourceByCanonical.putIfAbsent(canonical, source);
        canonicalBySource.put(source, canonical);
        if (first != null) {
            unmapped(source, "names the same category as " + first + " ('" + name.strip() + "'); merged into it");
            return;
        }
        nameByCanonical.put(canonical, name);
        categories.add(new CategoryInput(name, description, weight, x, y));
        categorySources.add(source);
    }

    /**
     * A relation from the edge {@code source} between the nodes {@code fromNode} and {@code toNode}; a null or
     * unknown {@code type} makes it IMPLIES, and an unknown one is kept in front of the rationale.
     */
    void relation(String source, String fromNode, String toNode, String type, Double weight, String rationale) {
        FileProblems.checkText(source, type);
        FileProblems.checkText(source, rationale);
        String from = canonicalBySource.get(fromNode);
        String to = canonicalBySource.get(toNode);
        if (from == null || to == null) {
            unmapped(source, "joins " + (from == null ? fromNode : toNode) + ", which is not a category; left out");
            return;
        }
        if (from.equals(to)) {
            unmapped(source, "joins a category to itself; left out");
            return;
        }
        String code = type == null ? null : GraphPlan.normaliseType(type);
        if (code == null || !relationTypes.contains(code)) {
            if (type != null && !type.isBlank()) {
                rationale = rationale == null ? type.strip() : type.strip() + ": " + rationale;
            }
            unmapped(source, (type == null || type.isBlank() ? "no relation type" : "'" + type.strip() + "' is no relation type")
                    + "; imported as " + DEFAULT_TYPE + (rationale == null ? "" : " with the label as its rationale"));
            code = DEFAULT_TYPE;
        }
        if (!relationKeys.add(from + "\u0000" + to + "\u0000" + code)) {
            unmapped(source, "repeats the relation " + nameByCanonical.get(from) + " " + code + " "
                    + nameByCanonical.get(to) + "; left out");
            return;
        }
        relations.add(new RelationInput(nameByCanonical.get(from), nameByCanonical.get(to), code, weight, rationale));
        relationSources.add(source);
    }

    Imported build(String nameOverride, String fallbackName) {
        String conceptName = nameOverride != null && !nameOverride.isBlank() ? nameOverride : name;
        if (conceptName == null || conceptName.isBlank()) {
            conceptName = fallbackName;
            unmapped("file", "names no concept; imported as '" + fallbackName + "' (the name parameter sets one)");
        }
        return new Imported(new ConceptInput(conceptName, description, tradition, null, List.copyOf(categories),
                List.copyOf(relations)), List.copyOf(unmapped), List.copyOf(categorySources), List.copyOf(relationSources));
    }
}
