package io.dialectica.e2e.convergence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The convergence checker from the command line, against the running local stack: every concept of PostgreSQL
 * and every concept a projection holds, compared field by field. {@code ./dialectica restore} runs it to decide
 * which projection must be rebuilt from PostgreSQL, and again to prove the result.
 *
 * <p>Settings (environment): {@code JDBC_URL}, {@code DB_USER}, {@code DB_PASSWORD}, {@code NEO4J_BOLT},
 * {@code OPENSEARCH_URL}, {@code SEARCH_ALIAS} (local stack defaults). Prints up to 20 differences and, last, one
 * line {@code convergence concepts=<n> neo4j=<differences> search=<differences>}; exits 0 when converged, 1 when
 * not, 2 when a store could not be read.
 */
public final class ConvergenceCli {

    private static final int SHOWN = 20;

    private ConvergenceCli() {
    }

    public static void main(String[] args) {
        // the checker closes the truth and the projections
        try (ConvergenceChecker checker = ConvergenceChecker.of(
                new PostgresTruth(env("JDBC_URL", "jdbc:postgresql://127.0.0.1:15432/concepts"), env("DB_USER", "dialectica"),
                        env("DB_PASSWORD", "dialectica")),
                new Neo4jProjection(env("NEO4J_BOLT", "bolt://127.0.0.1:17687")),
                new SearchProjection(env("OPENSEARCH_URL", "http://127.0.0.1:19200"), env("SEARCH_ALIAS", "dialectica-concepts")))) {
            ConvergenceReport report = checker.checkAll();
            Map<String, Integer> byStore = new LinkedHashMap<>();
            for (String store : report.stores()) {
                byStore.put(store, 0);
            }
            for (Difference d : report.differences()) {
                byStore.merge(d.store(), 1, Integer::sum);
            }
            List<Difference> shown = report.differences().stream().limit(SHOWN).toList();
            shown.forEach(d -> System.out.println("  " + d));
            if (report.differences().size() > SHOWN) {
                System.out.println("  ... and " + (report.differences().size() - SHOWN) + " more");
            }
            StringBuilder line = new StringBuilder("convergence concepts=").append(report.conceptsChecked());
            byStore.forEach((store, n) -> line.append(' ').append(store).append('=').append(n));
            System.out.println(line);
            System.exit(report.converged() ? 0 : 1);
        } catch (RuntimeException e) {
            System.err.println("convergence: a store could not be read: " + e);
            System.exit(2);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
