package io.dialectica.concept.formats;

import io.dialectica.service.problem.ApiProblem;

import java.util.Arrays;
import java.util.Locale;

/**
 * The file formats a concept is exported to and imported from (docs/formats.md). None of them has a media type
 * registered with IANA: each answers with the type its tools and files use (Argdown as plain text, JSON Canvas and
 * AIF as JSON), and only GraphML's ({@code application/graphml+xml}, the de-facto one) tells it apart from the
 * others, so it alone can be chosen by {@code Accept}; the others are chosen by {@code format}.
 */
public enum Format {

    CANVAS("canvas", "application/json", "canvas"),
    GRAPHML("graphml", "application/graphml+xml", "graphml"),
    ARGDOWN("argdown", "text/plain", "argdown"),
    AIF("aif", "application/json", "json");

    private final String code;
    private final String mediaType;
    private final String extension;

    Format(String code, String mediaType, String extension) {
        this.code = code;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String code() {
        return code;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    /** The {@code format} parameter, else the one format {@code Accept} names; a 400 naming {@code format} if neither. */
    public static Format of(String format, String accept) {
        if (format != null && !format.isBlank()) {
            String wanted = format.strip().toLowerCase(Locale.ROOT);
            return Arrays.stream(values()).filter(f -> f.code.equals(wanted)).findFirst()
                    .orElseThrow(() -> ApiProblem.badRequest("format", "unknown format '" + format + "'; one of " + codes()));
        }
        if (accept != null && accept.toLowerCase(Locale.ROOT).contains(GRAPHML.mediaType)) {
            return GRAPHML;
        }
        throw ApiProblem.badRequest("format", "a format is required: one of " + codes());
    }

    static String codes() {
        return Arrays.stream(values()).map(Format::code).toList().toString();
    }
}
