package io.dialectica.gateway.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * A path pattern of the route table: literal segments, {@code *} or {@code {name}} for exactly one
 * (non-empty) segment, and a final {@code **} for any number of segments, none included. Deliberately
 * simpler than a regular expression: the table must stay readable in a properties file.
 */
public final class PathPattern implements Comparable<PathPattern> {

    private static final String ANY = "*";
    private static final String REST = "**";

    private final String text;
    private final String[] segments;
    private final boolean rest;
    private final int literals;

    private PathPattern(String text, String[] segments, boolean rest, int literals) {
        this.text = text;
        this.segments = segments;
        this.rest = rest;
        this.literals = literals;
    }

    public static PathPattern parse(String text) {
        String pattern = text.strip();
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("path pattern '" + text + "' must start with /");
        }
        List<String> parts = new ArrayList<>(List.of(pattern.substring(1).split("/", -1)));
        boolean rest = !parts.isEmpty() && parts.get(parts.size() - 1).equals(REST);
        if (rest) {
            parts.remove(parts.size() - 1);
        }
        int literals = 0;
        for (String part : parts) {
            if (part.equals(REST)) {
                throw new IllegalArgumentException("path pattern '" + text + "': ** is allowed only as the last segment");
            }
            if (part.isEmpty()) {
                throw new IllegalArgumentException("path pattern '" + text + "' has an empty segment");
            }
            if (!isWildcard(part)) {
                if (part.contains("*") || part.contains("{") || part.contains("}")) {
                    throw new IllegalArgumentException("path pattern '" + text + "': segment '" + part
                            + "' mixes literal text and a wildcard");
                }
                literals++;
            }
        }
        return new PathPattern(pattern, parts.toArray(String[]::new), rest, literals);
    }

    /** Whether the (normalised, still percent-encoded) path matches, segment by segment. */
    public boolean matches(String path) {
        if (path == null || !path.startsWith("/")) {
            return false;
        }
        String[] actual = path.substring(1).split("/", -1);
        if (actual.length < segments.length || (!rest && actual.length != segments.length)) {
            return false;
        }
        for (int i = 0; i < segments.length; i++) {
            String expected = segments[i];
            if (isWildcard(expected) ? actual[i].isEmpty() : !expected.equals(actual[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Most specific first: more literal segments, then more fixed segments, then a pattern without
     * {@code **} before one with it; the text breaks remaining ties so the order is total.
     */
    @Override
    public int compareTo(PathPattern other) {
        int byLiterals = Integer.compare(other.literals, literals);
        if (byLiterals != 0) {
            return byLiterals;
        }
        int byLength = Integer.compare(other.segments.length, segments.length);
        if (byLength != 0) {
            return byLength;
        }
        int byRest = Boolean.compare(rest, other.rest);
        return byRest != 0 ? byRest : text.compareTo(other.text);
    }

    /** Same shape: the two would match exactly the same paths. */
    boolean sameShapeAs(PathPattern other) {
        return canonical().equals(other.canonical());
    }

    private String canonical() {
        StringBuilder shape = new StringBuilder();
        for (String segment : segments) {
            shape.append('/').append(isWildcard(segment) ? ANY : segment);
        }
        return rest ? shape.append("/**").toString() : shape.toString();
    }

    private static boolean isWildcard(String segment) {
        return segment.equals(ANY) || (segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}"));
    }

    @Override
    public String toString() {
        return text;
    }
}
