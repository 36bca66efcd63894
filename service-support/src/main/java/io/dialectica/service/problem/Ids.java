package io.dialectica.service.problem;

import java.util.UUID;

/** Path ids are parsed here so a malformed one is a 400 naming the parameter, not a 404 or 500. */
public final class Ids {

    private Ids() {
    }

    public static UUID parse(String field, String value) {
        try {
            if (value == null || value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(field, "'" + value + "' is not a UUID");
        }
    }

    public static <T> T required(T body) {
        if (body == null) {
            throw ApiProblem.badRequest("body", "a JSON body is required");
        }
        return body;
    }
}
