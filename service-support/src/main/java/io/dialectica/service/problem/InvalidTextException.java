package io.dialectica.service.problem;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;

/**
 * A JSON string the strict reader refuses as text (a lone UTF-16 surrogate, a NUL character): readable JSON, but
 * not text any store or client can hold. {@link ProblemMappers} answers it 422 naming the field.
 */
public class InvalidTextException extends InvalidFormatException {

    private final String reason;

    public InvalidTextException(JsonParser parser, String reason, String value) {
        super(parser, "invalid text: " + reason, value, String.class);
        this.reason = reason;
    }

    /** What is wrong with the text, e.g. "must not contain a lone UTF-16 surrogate". */
    public String reason() {
        return reason;
    }
}
