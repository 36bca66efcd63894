package io.dialectica.graph.rest;

import io.dialectica.contracts.Lsn;
import io.dialectica.service.problem.ApiProblem;

import java.util.UUID;

/** Path, query and header values are parsed here, so bad input is a 400 naming it (not a 404 or 500). */
final class Params {

    private Params() {
    }

    /** A UUID in its canonical 36-character form, returned lower case (as the events carry ids). */
    static String uuid(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiProblem.badRequest(field, "is required");
        }
        try {
            if (value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value).toString();
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(field, "'" + value + "' is not a UUID");
        }
    }

    static int integer(String field, String value, int defaultValue, int min, int max) {
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) {
                throw ApiProblem.badRequest(field, "must be between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(field, "'" + value + "' is not an integer");
        }
    }

    /** The consistency token (X/Y LSN) or null when absent. */
    static String token(String header, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            Lsn.parse(value);
            return value.trim();
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(header, "'" + value + "' is not an LSN (X/Y in hexadecimal)");
        }
    }
}
