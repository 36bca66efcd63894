package io.dialectica.worker.service;

/**
 * The worker's own infrastructure failed (Redis for the rate limiter, Kafka for the result): the request
 * is not finished, its offset stays uncommitted and the consumer runs it again after a pause.
 */
public final class RetryLater extends RuntimeException {
    public RetryLater(String message, Throwable cause) {
        super(message, cause);
    }
}
