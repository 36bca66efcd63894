package io.dialectica.concept.rest.dto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/**
 * A change to a category's place in one concept. An absent field keeps its value (moving a category
 * on the canvas must not reset its weight). The category's name and description are shared by every
 * concept that includes it and are not changed here.
 */
@JsonIgnoreProperties({"id", "name", "canonicalName", "description"})
public record MembershipUpdate(
        @DecimalMin("0") @DecimalMax("1") Double weight,
        @DecimalMin("-1000000") @DecimalMax("1000000") Double x,
        @DecimalMin("-1000000") @DecimalMax("1000000") Double y) {
}
