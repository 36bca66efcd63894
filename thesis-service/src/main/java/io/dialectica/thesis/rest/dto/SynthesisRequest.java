package io.dialectica.thesis.rest.dto;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.UUID;

/**
 * Body of {@code POST /api/syntheses}: 2–5 distinct concepts, a mode, optionally a language and a priority
 * ("interactive", the default, or "batch": a Message Batch at half the price, the result within 24 hours).
 */
public record SynthesisRequest(
        @NotNull(message = "is required") @Size(min = 2, max = 5, message = "must name 2 to 5 concepts")
        List<@NotNull(message = "must not be null") UUID> conceptIds,
        @NotNull(message = "is required")
        @Pattern(regexp = "dialectical|comparative|integrative", message = "must be dialectical, comparative or integrative")
        String mode,
        @Pattern(regexp = Languages.PATTERN, message = Languages.MESSAGE) String language,
        @Pattern(regexp = Priorities.PATTERN, message = Priorities.MESSAGE) String priority) {
}
