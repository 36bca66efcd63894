package io.dialectica.concept.service;

import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.concept.rest.dto.CategoryInput;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.RelationInput;
import io.dialectica.service.problem.ApiProblem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A concept's categories and relations as requested, checked against each other and against the
 * relation vocabulary before anything is written. Bean Validation has already checked each field alone;
 * this checks what only the whole request can tell (duplicates, dangling relation ends, unknown types)
 * and reports every problem at once, each under its JSON path.
 */
public record GraphPlan(List<PlannedCategory> categories, List<PlannedRelation> relations) {

    public record PlannedCategory(String name, String canonicalName, String description, double weight, double x, double y) {

        /** A new membership of this category (a fresh id). */
        public StoredConcept.NewMember newMember() {
            return new StoredConcept.NewMember(UUID.randomUUID(), canonicalName, weight, x, y);
        }
    }

    /** Ends are canonical category names. */
    public record PlannedRelation(String from, String to, String type, double weight, String rationale) {

        public RelationKey key() {
            return new RelationKey(from, to, type);
        }

        /** A new relation row (a fresh id); its ends are found by canonical name when it is inserted. */
        public StoredConcept.NewRelation newRelation() {
            return new StoredConcept.NewRelation(UUID.randomUUID(), from, to, type, weight, rationale);
        }
    }

    public record RelationKey(String from, String to, String type) {
    }

    public static GraphPlan of(ConceptInput input, Set<String> relationTypes) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        List<PlannedCategory> categories = new ArrayList<>();
        Map<String, Integer> firstIndexByCanonical = new HashMap<>();
        List<CategoryInput> requestedCategories = input.categoriesOrEmpty();
        for (int i = 0; i < requestedCategories.size(); i++) {
            CategoryInput category = requestedCategories.get(i);
            String canonical = CanonicalNames.canonical(category.name());
            Integer first = firstIndexByCanonical.putIfAbsent(canonical, i);
            if (first != null) {
                errors.add(new ApiProblem.FieldError("categories[" + i + "].name",
                        "duplicate category '" + category.name() + "' (same as categories[" + first + "])"));
                continue;
            }
            categories.add(plan(category));
        }

        List<PlannedRelation> relations = new ArrayList<>();
        Set<RelationKey> seen = new HashSet<>();
        List<RelationInput> requestedRelations = input.relationsOrEmpty();
        for (int i = 0; i < requestedRelations.size(); i++) {
            RelationInput relation = requestedRelations.get(i);
            String path = "relations[" + i + "]";
            PlannedRelation planned = checkRelation(relation, firstIndexByCanonical.keySet(), relationTypes,
                    path + ".", errors);
            if (planned == null) {
                continue;
            }
            if (!seen.add(planned.key())) {
                errors.add(new ApiProblem.FieldError(path, "duplicate relation " + relation.from() + " "
                        + planned.type() + " " + relation.to()));
                continue;
            }
            relations.add(planned);
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        return new GraphPlan(List.copyOf(categories), List.copyOf(relations));
    }

    /**
     * The quality score of a concept with this description and exactly this graph: what it will be once written.
     * Categories are identified by canonical name, which within one concept is the same as by id.
     */
    public double qualityScore(String description) {
        return QualityScore.of(description, categories.size(), relations.stream()
                .map(r -> new QualityScore.Edge(r.from(), r.to(), r.rationale() != null)).toList());
    }

    /**
     * Checks one relation against the concept's categories (canonical names) and the vocabulary,
     * for a whole concept and for a single added relation alike. Problems are added to
     * {@code errors} under {@code prefix} (e.g. {@code relations[3].}); returns null if there were any.
     */
    static PlannedRelation checkRelation(RelationInput relation, Set<String> categories, Set<String> relationTypes,
            String prefix, List<ApiProblem.FieldError> errors) {
        String from = CanonicalNames.canonical(relation.from());
        String to = CanonicalNames.canonical(relation.to());
        String type = normaliseType(relation.type());
        int before = errors.size();
        if (!categories.contains(from)) {
            errors.add(new ApiProblem.FieldError(prefix + "from", notAMember(relation.from())));
        }
        if (!categories.contains(to)) {
            errors.add(new ApiProblem.FieldError(prefix + "to", notAMember(relation.to())));
        }
        if (from.equals(to)) {
            errors.add(new ApiProblem.FieldError(prefix + "to", "a relation needs two different categories"));
        }
        if (!relationTypes.contains(type)) {
            errors.add(new ApiProblem.FieldError(prefix + "type", unknownType(relation.type())));
        }
        if (errors.size() > before) {
            return null;
        }
        return new PlannedRelation(from, to, type, relation.weightOrDefault(), blankToNull(relation.rationale()));
    }

    /** One category as it will be stored (display name, canonical name, defaults applied). */
    public static PlannedCategory plan(CategoryInput category) {
        return new PlannedCategory(CanonicalNames.display(category.name()), CanonicalNames.canonical(category.name()),
                blankToNull(category.description()), category.weightOrDefault(), category.xOrDefault(),
                category.yOrDefault());
    }

    /** Relation types are codes such as IMPLIES; "implies" or " Implies " mean the same. */
    public static String normaliseType(String type) {
        return type.strip().toUpperCase(Locale.ROOT);
    }

    public static String unknownType(String type) {
        return "unknown relation type '" + type + "' (see GET /api/relation-types)";
    }

    public static String notAMember(String name) {
        return "'" + name + "' is not a category of this concept";
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
