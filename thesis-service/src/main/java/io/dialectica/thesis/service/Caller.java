package io.dialectica.thesis.service;

/** The authenticated user on whose behalf a request runs. */
public record Caller(String subject, boolean admin) {
}
