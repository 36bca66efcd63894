package io.dialectica.concept.rest.dto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** A relation between two categories of the same concept, named by their names; weight defaults to 0.5. */
@JsonIgnoreProperties({"id", "fromCategoryId", "toCategoryId"})
public record RelationInput(
        @NotBlank @Size(max = 200) String from,
        @NotBlank @Size(max = 200) String to,
        @NotBlank @Size(max = 40) String type,
        @DecimalMin("0") @DecimalMax("1") Double weight,
        @Size(max = 5000) String rationale) {

    public static final double DEFAULT_WEIGHT = 0.5;

    public double weightOrDefault() {
        return weight == null ? DEFAULT_WEIGHT : weight;
    }
}
