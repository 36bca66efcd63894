package io.dialectica.thesis.rest.dto;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

/**
 * Body of {@code POST /api/concepts/{id}/theses}; every field optional (defaults 5, "en", "interactive"). {@code priority}
 * "batch" runs the job in a Message Batch at half the price, its result within 24 hours.
 */
public record ThesesRequest(
        @Min(value = 1, message = "must be between 1 and 10") @Max(value = 10, message = "must be between 1 and 10")
        Integer count,
        @Pattern(regexp = Languages.PATTERN, message = Languages.MESSAGE) String language,
        @Pattern(regexp = Priorities.PATTERN, message = Priorities.MESSAGE) String priority) {
}
