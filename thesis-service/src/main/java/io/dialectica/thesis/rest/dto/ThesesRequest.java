package io.dialectica.thesis.rest.dto;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

/** Body of {@code POST /api/concepts/{id}/theses}; both fields optional (defaults 5 and "en"). */
public record ThesesRequest(
        @Min(value = 1, message = "must be between 1 and 10") @Max(value = 10, message = "must be between 1 and 10")
        Integer count,
        @Pattern(regexp = Languages.PATTERN, message = Languages.MESSAGE) String language) {
}
