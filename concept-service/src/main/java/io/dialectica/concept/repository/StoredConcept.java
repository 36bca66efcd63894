package io.dialectica.concept.repository;

import io.dialectica.concept.model.Visibility;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A concept as stored (or as a write will commit it): its row, its memberships with their shared categories, its relations. */
public record StoredConcept(Row row, List<Member> members, List<Relation> relations) {

    /** The {@code concepts} row. */
    public record Row(UUID id, String owner, String name, String description, String tradition, Visibility visibility,
            double qualityScore, long version, Instant createdAt, Instant updatedAt) {
    }

    /** A {@code concept_categories} row with the shared {@code categories} row it points to. */
    public record Member(UUID membershipId, UUID categoryId, String name, String canonicalName, String description,
            double weight, double x, double y) {

        public Member withPlace(double newWeight, double newX, double newY) {
            return new Member(membershipId, categoryId, name, canonicalName, description, newWeight, newX, newY);
        }

        public Member withDescription(String newDescription) {
            return new Member(membershipId, categoryId, name, canonicalName, newDescription, weight, x, y);
        }
    }

    /** A {@code concept_relations} row. */
    public record Relation(UUID id, UUID fromCategoryId, UUID toCategoryId, String type, double weight, String rationale) {
    }

    /** A category to ensure (insert if its canonical name is new). */
    public record NewCategory(String name, String canonicalName, String description) {
    }

    /** A membership to insert; its category is found by canonical name in the same transaction. */
    public record NewMember(UUID membershipId, String canonicalName, double weight, double x, double y) {
    }

    /** A relation to insert; its ends are found by canonical name in the same transaction. */
    public record NewRelation(UUID id, String fromCanonicalName, String toCanonicalName, String type, double weight,
            String rationale) {
    }

    /** A category row as stored. */
    public record Category(UUID id, String name, String canonicalName, String description) {
    }

    public Member member(UUID categoryId) {
        return members.stream().filter(m -> m.categoryId().equals(categoryId)).findFirst().orElse(null);
    }

    public StoredConcept with(Row newRow, List<Member> newMembers, List<Relation> newRelations) {
        return new StoredConcept(newRow, List.copyOf(newMembers), List.copyOf(newRelations));
    }
}
