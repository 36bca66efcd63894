package io.dialectica.thesis.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/**
 * The time budgets are judged by: which month a job is charged to, when a budget resets. The system clock;
 * the tests replace the bean to move a month ahead.
 */
@ApplicationScoped
public class BudgetClock {

    public Instant now() {
        return Instant.now();
    }
}
