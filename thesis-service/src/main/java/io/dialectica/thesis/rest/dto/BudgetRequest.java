package io.dialectica.thesis.rest.dto;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;

import java.math.BigDecimal;

/**
 * {@code PUT /api/jobs/budgets/{user}}: the user's monthly budget in USD (0 to 1 000 000, at most 6
 * decimals). {@code DELETE} removes it (the default applies again).
 */
public record BudgetRequest(
        @jakarta.validation.constraints.NotNull(message = "required") @DecimalMin(value = "0", message = "must be at least 0") @DecimalMax(value = "1000000", message = "must be at most 1000000")
        @Digits(integer = 7, fraction = 6, message = "at most 6 decimals") BigDecimal monthlyUsd) {
}
