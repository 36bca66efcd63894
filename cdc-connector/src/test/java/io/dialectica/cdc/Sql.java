package io.dialectica.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Writes concept rows the way concept-service does, one transaction at a time. */
final class Sql {

    record Written(String token, long xid) {
    }

    interface Work {
        void run(Connection c) throws SQLException;
    }

    private Sql() {
    }

    /** Runs the work in one transaction; the token is read like concept-service reads it. */
    static Written tx(Work work) throws SQLException {
        try (Connection c = CdcTestStack.connect()) {
            c.setAutoCommit(false);
            work.run(c);
            String token;
            long xid;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select cast(pg_current_wal_insert_lsn() as text), "
                            + "pg_current_xact_id()::text::bigint % 4294967296")) {
                rs.next();
                token = rs.getString(1);
                xid = rs.getLong(2);
            }
            c.commit();
            return new Written(token, xid);
        }
    }

    static void insertConcept(Connection c, UUID id, String name, String description) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into concepts (id, owner, name, description, tradition, "
                + "visibility, quality_score, version, created_at, updated_at) values (?, 'cdc-test', ?, ?, 'Hegelian', "
                + "'PUBLIC', 0.4, 1, ?, ?)")) {
            OffsetDateTime now = OffsetDateTime.now();
            p.setObject(1, id);
            p.setString(2, name);
            p.setString(3, description);
            p.setObject(4, now);
            p.setObject(5, now);
            p.executeUpdate();
        }
    }

    static void insertCategory(Connection c, UUID id, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "insert into categories (id, name, canonical_name, description) values (?, ?, ?, ?)")) {
            p.setObject(1, id);
            p.setString(2, name);
            p.setString(3, name.toLowerCase() + "-" + id);
            p.setString(4, "about " + name);
            p.executeUpdate();
        }
    }

    static void insertMembership(Connection c, UUID id, UUID concept, UUID category, double weight) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "insert into concept_categories (id, concept_id, category_id, weight, x, y) values (?, ?, ?, ?, 10, -20)")) {
            p.setObject(1, id);
            p.setObject(2, concept);
            p.setObject(3, category);
            p.setDouble(4, weight);
            p.executeUpdate();
        }
    }

    static void insertRelation(Connection c, UUID id, UUID concept, UUID from, UUID to, String type) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into concept_relations (id, concept_id, from_category_id, "
                + "to_category_id, type, weight, rationale) values (?, ?, ?, ?, ?, 0.7, 'because')")) {
            p.setObject(1, id);
            p.setObject(2, concept);
            p.setObject(3, from);
            p.setObject(4, to);
            p.setString(5, type);
            p.executeUpdate();
        }
    }

    static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            p.executeUpdate();
        }
    }
}
