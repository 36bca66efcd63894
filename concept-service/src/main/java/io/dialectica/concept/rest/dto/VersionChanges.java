package io.dialectica.concept.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * What one version changed, against the version before it. Every list is present (empty when nothing of that kind
 * changed); a creation lists its fields (from null) and adds every category and relation; a deletion and a baseline
 * list nothing.
 */
public record VersionChanges(
        @Schema(description = "Changed fields of the concept: name, description, tradition, visibility")
        List<FieldChange> fields,
        CategoryChanges categories,
        RelationChanges relations) {

    public static VersionChanges none() {
        return new VersionChanges(List.of(), new CategoryChanges(List.of(), List.of(), List.of(), List.of()),
                new RelationChanges(List.of(), List.of(), List.of()));
    }

    /** A field's value before and after; null = absent. */
    public record FieldChange(
            String field,
            @Schema(description = "The value before (null: none)", nullable = true) Object from,
            @Schema(description = "The value after (null: none)", nullable = true) Object to) {
    }

    /** Categories of this concept: added, removed, re-weighted, moved on the canvas (by the shared category's id). */
    public record CategoryChanges(
            @Schema(description = "Categories added to the concept, as they were added") List<CategoryView> added,
            @Schema(description = "Categories removed from the concept, as they were before") List<CategoryView> removed,
            List<Reweighted> reweighted,
            List<Moved> moved) {
    }

    public record Reweighted(UUID id, String name, double from, double to) {
    }

    public record Moved(UUID id, String name, Point from, Point to) {
    }

    public record Point(double x, double y) {
    }

    /** Relations of this concept: added, removed, or changed in place (weight, rationale). */
    public record RelationChanges(
            @Schema(description = "Relations added, as they were added") List<RelationView> added,
            @Schema(description = "Relations removed (also those that went with a removed category), as they were before")
            List<RelationView> removed,
            List<RelationChanged> changed) {
    }

    /** A relation that kept its id: which of its fields changed. */
    public record RelationChanged(UUID id, String from, String to, String type, List<FieldChange> fields) {
    }
}
