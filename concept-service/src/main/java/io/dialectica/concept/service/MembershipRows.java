package io.dialectica.concept.service;

import io.dialectica.concept.model.Category;
import io.dialectica.concept.model.ConceptCategory;
import io.dialectica.concept.model.ConceptRelation;

import java.util.UUID;

/** New membership and relation rows, built the same way by whole-concept and fine-grained writes. */
final class MembershipRows {

    private MembershipRows() {
    }

    static ConceptCategory membership(UUID conceptId, Category category, double weight, double x, double y) {
        ConceptCategory row = new ConceptCategory();
        row.id = UUID.randomUUID();
        row.conceptId = conceptId;
        row.category = category;
        row.weight = weight;
        row.x = x;
        row.y = y;
        return row;
    }

    static ConceptRelation relation(UUID conceptId, UUID from, UUID to, String type, double weight, String rationale) {
        ConceptRelation row = new ConceptRelation();
        row.id = UUID.randomUUID();
        row.conceptId = conceptId;
        row.fromCategoryId = from;
        row.toCategoryId = to;
        row.type = type;
        row.weight = weight;
        row.rationale = rationale;
        return row;
    }
}
