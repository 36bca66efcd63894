package io.dialectica.concept.formats;

import io.dialectica.service.problem.ApiProblem;

import java.util.List;

/**
 * A file that cannot be read as its format: 422 {@code invalid-file}, with where ({@code field}: a line and
 * column, a JSON path, or a node or edge id) and what. Thrown before anything is written.
 */
public final class FileProblems {

    private FileProblems() {
    }

    public static ApiProblem invalid(String where, String what) {
        return new ApiProblem(422, "invalid-file", "The file cannot be imported", where + ": " + what,
                List.of(new ApiProblem.FieldError(where, what)));
    }

    public static ApiProblem at(int line, int column, String what) {
        return invalid("line " + line + ", column " + column, what);
    }

    /** Text no store or client can hold, as the strict JSON reader refuses it in a normal create. */
    static void checkText(String where, String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw invalid(where, "must not contain a NUL character (U+0000)");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(where, "must not contain a lone UTF-16 surrogate");
            }
        }
    }
}
