package io.dialectica.thesis.service;

import io.dialectica.service.problem.ApiProblem;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * 402 {@code urn:dialectica:problem:budget-exceeded}: the caller's spending this month (settled costs plus
 * what running jobs hold) reached their monthly budget. Thrown inside the job's transaction, so nothing of
 * the job exists; the problem document carries the amounts and when the budget resets
 * ({@link BudgetProblemMapper}), {@code Retry-After} the seconds until then.
 */
public class BudgetExceeded extends ApiProblem {

    public static final String SLUG = "budget-exceeded";

    private final BigDecimal budgetUsd;
    private final BigDecimal spentUsd;
    private final BigDecimal heldUsd;
    private final Instant resetAt;

    public BudgetExceeded(String user, BigDecimal budgetUsd, BigDecimal spentUsd, BigDecimal heldUsd, Instant resetAt,
            Instant now) {
        super(402, SLUG, "Monthly budget exhausted", "the monthly budget of " + user + " (USD "
                + budgetUsd.stripTrailingZeros().toPlainString() + ") is used up: USD "
                + spentUsd.stripTrailingZeros().toPlainString() + " spent and USD "
                + heldUsd.stripTrailingZeros().toPlainString() + " held by running jobs this month; it resets at "
                + resetAt, List.of(), Map.of("Retry-After",
                        Long.toString(Math.max(1, Duration.between(now, resetAt).toSeconds()))));
        this.budgetUsd = budgetUsd;
        this.spentUsd = spentUsd;
        this.heldUsd = heldUsd;
        this.resetAt = resetAt;
    }

    public BigDecimal budgetUsd() {
        return budgetUsd;
    }

    public BigDecimal spentUsd() {
        return spentUsd;
    }

    public BigDecimal heldUsd() {
        return heldUsd;
    }

    public Instant resetAt() {
        return resetAt;
    }
}
