package io.dialectica.concept.mapping;

import io.dialectica.concept.model.Concept;
import io.dialectica.concept.model.ConceptCategory;
import io.dialectica.concept.model.ConceptRelation;
import io.dialectica.concept.model.RelationType;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptSummary;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationTypeView;
import io.dialectica.concept.rest.dto.RelationView;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Entities to the JSON views of the API. */
public final class ConceptMapper {

    private ConceptMapper() {
    }

    public static ConceptView toView(Concept concept, List<ConceptCategory> memberships, List<ConceptRelation> relations) {
        Map<UUID, String> names = categoryNames(memberships);
        return new ConceptView(concept.id, concept.owner, concept.name, concept.description, concept.tradition,
                concept.visibility, concept.qualityScore, concept.version, concept.createdAt, concept.updatedAt,
                memberships.stream().map(ConceptMapper::toView).toList(),
                relations.stream().map(r -> toView(r, names)).toList());
    }

    /** Category id to display name, to name the ends of relations. */
    public static Map<UUID, String> categoryNames(List<ConceptCategory> memberships) {
        Map<UUID, String> names = new HashMap<>();
        memberships.forEach(m -> names.put(m.category.id, m.category.name));
        return names;
    }

    public static ConceptSummary toSummary(Concept concept) {
        return new ConceptSummary(concept.id, concept.owner, concept.name, concept.description, concept.tradition,
                concept.visibility, concept.qualityScore, concept.version, concept.createdAt, concept.updatedAt);
    }

    public static CategoryView toView(ConceptCategory membership) {
        return new CategoryView(membership.category.id, membership.category.name, membership.category.canonicalName,
                membership.category.description, membership.weight, membership.x, membership.y);
    }

    public static RelationView toView(ConceptRelation relation, Map<UUID, String> categoryNames) {
        return new RelationView(relation.id, categoryNames.get(relation.fromCategoryId),
                categoryNames.get(relation.toCategoryId), relation.fromCategoryId, relation.toCategoryId,
                relation.type, relation.weight, relation.rationale);
    }

    public static RelationTypeView toView(RelationType type) {
        return new RelationTypeView(type.code, type.description);
    }
}
