package io.dialectica.graph.service;

/**
 * The authenticated user a read runs for. {@code seeAll}: group {@code admin}, or group {@code service}
 * (claude-worker calls with a service token): PRIVATE concepts of others are visible to them.
 */
public record Caller(String subject, boolean seeAll) {

    public boolean canSee(String owner, String visibility) {
        return "PUBLIC".equals(visibility) || seeAll || (subject != null && subject.equals(owner));
    }
}
