package io.dialectica.worker.claude;

/**
 * The rate-limit slot of a call passed (by more than {@code ratelimit.grant-tolerance} of the spacing)
 * before its request could be sent: the request is not sent, the slot is lost and a new one is reserved.
 * Not an API failure: no retry attempt is counted.
 */
public class StaleGrant extends RuntimeException {
    public StaleGrant() {
        super("rate-limit slot passed before the request could be sent", null, false, false);
    }
}
