package io.dialectica.e2e.convergence;

/**
 * One way a projection differs from PostgreSQL: which concept, which store ({@code neo4j}, {@code search}),
 * where (e.g. {@code relations[Being -NEGATES-> Nothing].weight}), what PostgreSQL has and what the store has
 * ({@code <absent>} when there is nothing).
 */
public record Difference(String conceptId, String store, String path, Object expected, Object actual) {

    /** What a store has where it has nothing. */
    public static final Marker ABSENT = new Marker("<absent>");

    /** A description rather than a value (shown without quotes). */
    public record Marker(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    static Marker marker(String text) {
        return new Marker(text);
    }

    @Override
    public String toString() {
        return "concept " + conceptId + " in " + store + ": " + path + ": PostgreSQL has " + show(expected)
                + ", " + store + " has " + show(actual);
    }

    private static String show(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return '"' + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + '"';
        }
        return value.toString();
    }
}
