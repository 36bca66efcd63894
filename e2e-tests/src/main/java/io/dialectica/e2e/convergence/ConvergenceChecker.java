package io.dialectica.e2e.convergence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares PostgreSQL (the system of record) with its projections (Neo4j, the search index) concept by
 * concept, field by field, and reports every difference. A concept absent in PostgreSQL must be absent (or a
 * tombstone) in every projection. Used by the end-to-end tests and by {@code ./dialectica bench freshness}.
 *
 * <pre>{@code
 * try (ConvergenceChecker checker = ConvergenceChecker.of(truth, neo4j, search)) {
 *     ConvergenceReport report = checker.check(ids);   // or checker.checkAll()
 *     assertTrue(report.converged(), report.describe());
 * }
 * }</pre>
 */
public final class ConvergenceChecker implements AutoCloseable {

    private static final int BATCH = 500;

    private final PostgresTruth truth;
    private final List<Projection> projections;

    private ConvergenceChecker(PostgresTruth truth, List<Projection> projections) {
        this.truth = truth;
        this.projections = List.copyOf(projections);
    }

    public static ConvergenceChecker of(PostgresTruth truth, Projection... projections) {
        return new ConvergenceChecker(truth, List.of(projections));
    }

    public PostgresTruth truth() {
        return truth;
    }

    /** Compares these concepts (present or deleted in PostgreSQL). */
    public ConvergenceReport check(Collection<String> conceptIds) {
        Set<String> ids = new TreeSet<>(conceptIds);
        List<Difference> differences = new ArrayList<>();
        for (List<String> batch : PostgresTruth.batches(ids, BATCH)) {
            Map<String, ConceptImage> expected = truth.read(batch);
            for (Projection projection : projections) {
                Map<String, ConceptImage> actual = projection.read(batch);
                for (String id : batch) {
                    differences.addAll(compare(expected.get(id), actual.get(id), projection.store(), projection.profile()));
                }
            }
        }
        return new ConvergenceReport(ids.size(), projections.stream().map(Projection::store).toList(), differences);
    }

    /** Every concept of PostgreSQL and every concept a projection holds as present. */
    public ConvergenceReport checkAll() {
        Set<String> ids = new LinkedHashSet<>(truth.allIds());
        for (Projection projection : projections) {
            ids.addAll(projection.presentIds());
        }
        return check(ids);
    }

    /** The differences of one concept in one store; {@code actual} null counts as absent. */
    public static List<Difference> compare(ConceptImage expected, ConceptImage actual, String store, Projection.Profile profile) {
        List<Difference> out = new ArrayList<>();
        String id = expected.id;
        boolean present = actual != null && actual.present;
        if (!expected.present) {
            if (present) {
                out.add(new Difference(id, store, "concept", Difference.marker("(deleted)"),
                        Difference.marker("a live concept named \"" + actual.attributes.get("name") + "\"")));
            }
            return out;
        }
        if (!present) {
            out.add(new Difference(id, store, "concept",
                    Difference.marker("a concept named \"" + expected.attributes.get("name") + "\""), Difference.ABSENT));
            return out;
        }
        for (String attribute : profile.concept()) {
            Object e = expected.attributes.get(attribute);
            Object a = actual.attributes.get(attribute);
            if (!ConceptImage.same(e, a)) {
                out.add(new Difference(id, store, attribute, e, a));
            }
        }
        compareMembers(out, id, store, "categories", expected.categories, actual.categories, profile.membership(), expected);
        compareMembers(out, id, store, "relations", expected.relations, actual.relations, profile.relation(), expected);
        return out;
    }

    private static void compareMembers(List<Difference> out, String id, String store, String kind,
                                       Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual,
                                       Set<String> attributes, ConceptImage names) {
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            Map<String, Object> e = expected.get(key);
            Map<String, Object> a = actual.get(key);
            String path = kind + "[" + label(key, names) + "]";
            if (e == null) {
                out.add(new Difference(id, store, path, Difference.ABSENT, Difference.marker("present " + a)));
            } else if (a == null) {
                out.add(new Difference(id, store, path, Difference.marker("present " + e), Difference.ABSENT));
            } else {
                for (String attribute : attributes) {
                    if (!ConceptImage.same(e.get(attribute), a.get(attribute))) {
                        out.add(new Difference(id, store, path + "." + attribute, e.get(attribute), a.get(attribute)));
                    }
                }
            }
        }
    }

    /** A category id (or a relation key of category ids) with the categories' names, for people to read. */
    private static String label(String key, ConceptImage names) {
        String[] parts = key.split(" ");
        if (parts.length == 3) {
            return name(parts[0], names) + " " + parts[1] + " " + name(parts[2], names);
        }
        return name(key, names);
    }

    private static String name(String categoryId, ConceptImage names) {
        Map<String, Object> category = names.categories.get(categoryId);
        Object name = category == null ? null : category.get("name");
        return name == null ? categoryId : name + " (" + categoryId.substring(0, Math.min(8, categoryId.length())) + ")";
    }

    @Override
    public void close() {
        projections.forEach(Projection::close);
        truth.close();
    }
}
