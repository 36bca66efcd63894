package io.dialectica.concept.rest.dto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** A category of a concept; weight defaults to 0.5 and the canvas position to the origin. */
@JsonIgnoreProperties({"id", "canonicalName"})
public record CategoryInput(
        @NotBlank @Size(max = 200) String name,
        @Size(max = 5000) String description,
        @DecimalMin("0") @DecimalMax("1") Double weight,
        @DecimalMin("-1000000") @DecimalMax("1000000") Double x,
        @DecimalMin("-1000000") @DecimalMax("1000000") Double y) {

    public static final double DEFAULT_WEIGHT = 0.5;

    public double weightOrDefault() {
        return weight == null ? DEFAULT_WEIGHT : weight;
    }

    public double xOrDefault() {
        return x == null ? 0 : x;
    }

    public double yOrDefault() {
        return y == null ? 0 : y;
    }
}
