package io.dialectica.search.service;

/**
 * Who asks: the JWT subject, and whether the caller sees every concept (groups {@code admin} and
 * {@code service}); others see PUBLIC concepts and their own.
 */
public record Caller(String subject, boolean seesAll) {

    /** The part of a cache key that decides what the caller may see. */
    public String scope() {
        return seesAll ? "all" : "user:" + subject;
    }
}
