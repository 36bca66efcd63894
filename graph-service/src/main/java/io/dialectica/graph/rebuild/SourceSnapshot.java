package io.dialectica.graph.rebuild;

import io.dialectica.contracts.Lsn;
import io.dialectica.service.problem.ApiProblem;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's state at a recorded LSN, read the way search-service's rebuild reads it: S =
 * {@code pg_current_wal_insert_lsn()} first, then one {@code REPEATABLE READ, READ ONLY} transaction, whose snapshot
 * contains every transaction committed at or before S (taken after S was read). Logged in as the read-only role
 * {@code dialectica_graph} (concept-service's V7 migration). Concepts come in batches sorted by id, each with its
 * memberships and relations (three cursors merged: memory stays bounded by one batch).
 */
@ApplicationScoped
public class SourceSnapshot {

    public record Category(String id, String name, String canonicalName, String description) {
    }

    public record Membership(String id, String categoryId, double weight, double x, double y) {
    }

    public record Relation(String id, String type, String fromId, String toId, double weight, String rationale) {
    }

    public record Concept(String id, String owner, String name, String description, String tradition,
            String visibility, String updatedAt, List<Membership> memberships, List<Relation> relations) {
    }

    /** What the rebuild does with each batch (the snapshot stays open meanwhile). */
    public interface Sink {
        void lsn(long lsn);

        void categories(List<Category> batch);

        void concepts(List<Concept> batch);
    }

    private final DataSource dataSource;

    public SourceSnapshot(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Reads S, then the snapshot into {@code sink}, categories first. Returns S. */
    public long read(int batchSize, Sink sink) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            long lsn;
            // taken before the snapshot: every transaction committed at or before it is in the snapshot
            try (Statement s = connection.createStatement();
                    ResultSet rs = s.executeQuery("select pg_current_wal_insert_lsn()::text")) {
                rs.next();
                lsn = Lsn.parse(rs.getString(1));
            }
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                sink.lsn(lsn);
                readCategories(connection, batchSize, sink);
                readConcepts(connection, batchSize, sink);
                connection.commit();
                return lsn;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new ApiProblem(503, "source-unavailable", "Service unavailable",
                    "reading the concepts database failed: " + e.getMessage(), List.of(), Map.of("Retry-After", "5"));
        }
    }

    private static void readCategories(Connection connection, int batchSize, Sink sink) throws SQLException {
        List<Category> batch = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "select id::text, name, canonical_name, description from categories order by id")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    batch.add(new Category(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    if (batch.size() >= batchSize * 5) {
                        sink.categories(List.copyOf(batch));
                        batch.clear();
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            sink.categories(batch);
        }
    }

    private static void readConcepts(Connection connection, int batchSize, Sink sink) throws SQLException {
        List<Concept> batch = new ArrayList<>();
        try (PreparedStatement concepts = connection.prepareStatement("""
                select id::text, owner, name, description, tradition, visibility, updated_at
                from concepts order by id::text collate "C"
                """);
                PreparedStatement members = connection.prepareStatement("""
                        select concept_id::text, id::text, category_id::text, weight, x, y
                        from concept_categories order by concept_id::text collate "C", id::text
                        """);
                PreparedStatement relations = connection.prepareStatement("""
                        select concept_id::text, id::text, type, from_category_id::text, to_category_id::text, weight, rationale
                        from concept_relations order by concept_id::text collate "C", id::text
                        """)) {
            concepts.setFetchSize(500);
            members.setFetchSize(2000);
            relations.setFetchSize(2000);
            try (ResultSet c = concepts.executeQuery(); ResultSet m = members.executeQuery();
                    ResultSet r = relations.executeQuery()) {
                boolean hasM = m.next();
                boolean hasR = r.next();
                while (c.next()) {
                    String id = c.getString(1);
                    List<Membership> memberships = new ArrayList<>();
                    // rows of concepts deleted meanwhile cannot exist (one snapshot): skipping only passes older ids
                    while (hasM && m.getString(1).compareTo(id) < 0) {
                        hasM = m.next();
                    }
                    while (hasM && m.getString(1).equals(id)) {
                        memberships.add(new Membership(m.getString(2), m.getString(3), m.getDouble(4), m.getDouble(5),
                                m.getDouble(6)));
                        hasM = m.next();
                    }
                    List<Relation> rels = new ArrayList<>();
                    while (hasR && r.getString(1).compareTo(id) < 0) {
                        hasR = r.next();
                    }
                    while (hasR && r.getString(1).equals(id)) {
                        rels.add(new Relation(r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                                r.getDouble(6), r.getString(7)));
                        hasR = r.next();
                    }
                    OffsetDateTime updated = c.getObject(7, OffsetDateTime.class);
                    batch.add(new Concept(id, c.getString(2), c.getString(3), c.getString(4), c.getString(5),
                            c.getString(6), updated == null ? null : updated.toInstant().toString(), memberships, rels));
                    if (batch.size() >= batchSize) {
                        sink.concepts(List.copyOf(batch));
                        batch.clear();
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            sink.concepts(batch);
        }
    }
}
