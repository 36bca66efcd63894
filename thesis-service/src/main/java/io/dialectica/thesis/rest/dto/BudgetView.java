package io.dialectica.thesis.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A user's budget this month: the monthly amount ({@code source} {@code user}: set by an admin, or
 * {@code default}), what was spent (settled job costs) and is held (by jobs not yet settled), what remains,
 * the number of jobs charged this month, the month's start and when it resets; {@code exhausted}: a job
 * request would be refused now.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BudgetView(String user, BigDecimal monthlyUsd, String source, String setBy, Instant updatedAt,
        BigDecimal spentUsd, BigDecimal heldUsd, BigDecimal remainingUsd, long jobs, Instant periodStart,
        Instant resetAt, boolean exhausted) {

    /** A monthly amount and where it comes from. */
    public record Limit(BigDecimal monthlyUsd, boolean own, String setBy, Instant updatedAt) {
    }
}
