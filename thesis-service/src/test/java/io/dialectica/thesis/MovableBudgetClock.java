package io.dialectica.thesis;

import io.dialectica.thesis.service.BudgetClock;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.time.Duration;
import java.time.Instant;

/** The budgets' clock in the tests: the system clock, moved by {@link #offset} (0 unless a test moves it). */
@Alternative
@Priority(1)
@ApplicationScoped
public class MovableBudgetClock extends BudgetClock {

    static volatile Duration offset = Duration.ZERO;

    @Override
    public Instant now() {
        return Instant.now().plus(offset);
    }

    /** Moves the clock so that it now reads {@code at}. */
    static void setTo(Instant at) {
        offset = Duration.between(Instant.now(), at);
    }

    static void reset() {
        offset = Duration.ZERO;
    }
}
