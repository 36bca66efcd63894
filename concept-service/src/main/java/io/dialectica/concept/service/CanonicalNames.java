package io.dialectica.concept.service;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Categories are shared across concepts by canonical name, so "Being", " being " and "BEING" are one
 * category. NFKC folds compatibility forms (full-width letters, ligatures) before lower-casing.
 */
public final class CanonicalNames {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private CanonicalNames() {
    }

    /** The name as displayed: trimmed, inner whitespace collapsed. */
    public static String display(String name) {
        return WHITESPACE.matcher(name.strip()).replaceAll(" ");
    }

    public static String canonical(String name) {
        String folded = Normalizer.normalize(name, Normalizer.Form.NFKC);
        return WHITESPACE.matcher(folded.strip()).replaceAll(" ").toLowerCase(Locale.ROOT);
    }
}
