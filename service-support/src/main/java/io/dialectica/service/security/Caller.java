package io.dialectica.service.security;

/**
 * The authenticated user on whose behalf a request runs: the JWT subject, and its groups that matter here.
 * {@code admin} may see and change anything; {@code service} (a service token, e.g. claude-worker's) may
 * read everything but owns nothing. Which of the two a rule needs is the service's decision.
 */
public record Caller(String subject, boolean admin, boolean service) {

    /** Sees every concept, PRIVATE ones of others included: groups {@code admin} and {@code service}. */
    public boolean seesAll() {
        return admin || service;
    }

    /** Whether a concept with this owner and visibility ({@code PUBLIC}/{@code PRIVATE}) is visible to the caller. */
    public boolean canSee(String owner, String visibility) {
        return "PUBLIC".equals(visibility) || seesAll() || (subject != null && subject.equals(owner));
    }

    /** The part of a cache key that decides what the caller may see. */
    public String scope() {
        return seesAll() ? "all" : "user:" + subject;
    }
}
