package io.dialectica.thesis.rest.dto;

/**
 * A job's priority: {@code interactive} (the default: run at once, progress streamed) or {@code batch} (claude-worker
 * collects it into a Message Batch: half the price, the result within 24 hours).
 */
final class Priorities {

    static final String PATTERN = "interactive|batch";
    static final String MESSAGE = "must be interactive or batch";

    private Priorities() {
    }
}
