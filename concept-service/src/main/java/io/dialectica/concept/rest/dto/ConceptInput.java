package io.dialectica.concept.rest.dto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.dialectica.concept.model.Visibility;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * A whole concept, as created by POST and replaced by PUT. The read-only fields of a
 * {@link ConceptView} are accepted and ignored, so a client can GET, edit and PUT the same document;
 * any other unknown field is rejected (a typo must not be silently dropped).
 */
@JsonIgnoreProperties({"id", "owner", "qualityScore", "version", "createdAt", "updatedAt"})
public record ConceptInput(
        @NotBlank @Size(max = 200) String name,
        @Size(max = 20000) String description,
        @Size(max = 100) String tradition,
        /* defaults to PRIVATE: nothing is published by accident */
        Visibility visibility,
        @Size(max = 500) List<@NotNull @Valid CategoryInput> categories,
        @Size(max = 2000) List<@NotNull @Valid RelationInput> relations) {

    public List<CategoryInput> categoriesOrEmpty() {
        return categories == null ? List.of() : categories;
    }

    public List<RelationInput> relationsOrEmpty() {
        return relations == null ? List.of() : relations;
    }

    public Visibility visibilityOrDefault() {
        return visibility == null ? Visibility.PRIVATE : visibility;
    }
}
