package io.dialectica.e2e.convergence;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One concept as one store holds it, in a store-neutral shape: the concept's attributes, its memberships by
 * category id and its relations by their natural key (from category, type, to category — unique per concept
 * in PostgreSQL). Values are strings, doubles or longs; an absent value and {@code null} are the same.
 * {@link #present} is false for a concept the store does not hold (or holds only as a tombstone).
 */
public final class ConceptImage {

    public final String id;
    public final boolean present;
    public final Map<String, Object> attributes = new TreeMap<>();
    /** category id → membership attributes (weight, x, y, the category's name and description, ...). */
    public final Map<String, Map<String, Object>> categories = new TreeMap<>();
    /** {@link #relationKey} → relation attributes (id, weight, rationale, ...). */
    public final Map<String, Map<String, Object>> relations = new TreeMap<>();

    private ConceptImage(String id, boolean present) {
        this.id = id;
        this.present = present;
    }

    public static ConceptImage present(String id) {
        return new ConceptImage(id, true);
    }

    public static ConceptImage absent(String id) {
        return new ConceptImage(id, false);
    }

    public static String relationKey(String fromCategoryId, String type, String toCategoryId) {
        return fromCategoryId + " -" + type + "-> " + toCategoryId;
    }

    public ConceptImage attribute(String name, Object value) {
        attributes.put(name, normalise(value));
        return this;
    }

    public Map<String, Object> category(String categoryId) {
        return categories.computeIfAbsent(categoryId, k -> new TreeMap<>());
    }

    public Map<String, Object> relation(String fromCategoryId, String type, String toCategoryId) {
        return relations.computeIfAbsent(relationKey(fromCategoryId, type, toCategoryId), k -> new TreeMap<>());
    }

    static void put(Map<String, Object> target, String name, Object value) {
        target.put(name, normalise(value));
    }

    /** Numbers as double (integers as long), everything else as its string form; null stays null. */
    static Object normalise(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Float || value instanceof Double || value instanceof java.math.BigDecimal) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        return value.toString();
    }

    static boolean same(Object expected, Object actual) {
        if (expected instanceof Number a && actual instanceof Number b) {
            return Math.abs(a.doubleValue() - b.doubleValue()) <= 1e-9 * Math.max(1, Math.abs(a.doubleValue()));
        }
        return Objects.equals(expected, actual);
    }

    @Override
    public String toString() {
        return present ? "concept " + id + " " + attributes + " categories=" + categories + " relations=" + relations
                : "concept " + id + " (absent)";
    }
}
