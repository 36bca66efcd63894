package io.dialectica.e2e.convergence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The system of record: concepts, concept_categories + categories, concept_relations of concept-service's
 * database, read in one REPEATABLE READ transaction per batch. Attribute names used by every projection:
 * concept {@code name, description, tradition, owner, visibility, qualityScore, version}; membership
 * {@code membershipId, name, description, weight, x, y}; relation {@code id, weight, rationale} and the concept's {@code owner, visibility} (which the graph copies onto relations).
 */
public final class PostgresTruth implements AutoCloseable {

    private final Connection connection;

    public PostgresTruth(String jdbcUrl, String user, String password) {
        try {
            connection = DriverManager.getConnection(jdbcUrl, user, password);
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + jdbcUrl + " as " + user, e);
        }
    }

    public Map<String, ConceptImage> read(Collection<String> conceptIds) {
        Map<String, ConceptImage> images = new HashMap<>();
        try {
            Array ids = connection.createArrayOf("uuid", conceptIds.stream().map(UUID::fromString).toArray());
            try (PreparedStatement concepts = connection.prepareStatement(
                    "select id, owner, name, description, tradition, visibility, quality_score, version"
                            + " from concepts where id = any(?)")) {
                concepts.setArray(1, ids);
                try (ResultSet row = concepts.executeQuery()) {
                    while (row.next()) {
                        String id = row.getString("id");
                        images.put(id, ConceptImage.present(id)
                                .attribute("owner", row.getString("owner"))
                                .attribute("name", row.getString("name"))
                                .attribute("description", row.getString("description"))
                                .attribute("tradition", row.getString("tradition"))
                                .attribute("visibility", row.getString("visibility"))
                                .attribute("qualityScore", row.getDouble("quality_score"))
                                .attribute("version", row.getLong("version")));
                    }
                }
            }
            try (PreparedStatement memberships = connection.prepareStatement(
                    "select cc.concept_id, cc.id, cc.category_id, cc.weight, cc.x, cc.y, c.name, c.description"
                            + " from concept_categories cc join categories c on c.id = cc.category_id"
                            + " where cc.concept_id = any(?)")) {
                memberships.setArray(1, ids);
                try (ResultSet row = memberships.executeQuery()) {
                    while (row.next()) {
                        ConceptImage image = images.get(row.getString("concept_id"));
                        if (image == null) {
                            continue;
                        }
                        Map<String, Object> m = image.category(row.getString("category_id"));
                        ConceptImage.put(m, "membershipId", row.getString("id"));
                        ConceptImage.put(m, "name", row.getString("name"));
                        ConceptImage.put(m, "description", row.getString("description"));
                        ConceptImage.put(m, "weight", row.getDouble("weight"));
                        ConceptImage.put(m, "x", row.getDouble("x"));
                        ConceptImage.put(m, "y", row.getDouble("y"));
                    }
                }
            }
            try (PreparedStatement relations = connection.prepareStatement(
                    "select concept_id, id, from_category_id, to_category_id, type, weight, rationale"
                            + " from concept_relations where concept_id = any(?)")) {
                relations.setArray(1, ids);
                try (ResultSet row = relations.executeQuery()) {
                    while (row.next()) {
                        ConceptImage image = images.get(row.getString("concept_id"));
                        if (image == null) {
                            continue;
                        }
                        Map<String, Object> r = image.relation(row.getString("from_category_id"), row.getString("type"),
                                row.getString("to_category_id"));
                        ConceptImage.put(r, "id", row.getString("id"));
                        ConceptImage.put(r, "weight", row.getDouble("weight"));
                        ConceptImage.put(r, "rationale", row.getString("rationale"));
                        ConceptImage.put(r, "owner", image.attributes.get("owner"));
                        ConceptImage.put(r, "visibility", image.attributes.get("visibility"));
                    }
                }
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new IllegalStateException("cannot read concepts from PostgreSQL", e);
        }
        for (String id : conceptIds) {
            images.putIfAbsent(id, ConceptImage.absent(id));
        }
        return images;
    }

    public Set<String> allIds() {
        Set<String> ids = new LinkedHashSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("select id from concepts order by id")) {
            while (row.next()) {
                ids.add(row.getString(1));
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new IllegalStateException("cannot list concepts in PostgreSQL", e);
        }
        return ids;
    }

    /** {@code pg_current_wal_lsn()}: every change committed so far lies at or before it. */
    public long currentWalLsn() {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("select pg_current_wal_lsn()::text")) {
            row.next();
            String lsn = row.getString(1);
            connection.commit();
            return io.dialectica.contracts.Lsn.parse(lsn);
        } catch (SQLException e) {
            rollbackQuietly();
            throw new IllegalStateException("cannot read the WAL position", e);
        }
    }

    static <T> List<List<T>> batches(Collection<T> items, int size) {
        List<List<T>> batches = new ArrayList<>();
        List<T> current = new ArrayList<>(size);
        for (T item : items) {
            current.add(item);
            if (current.size() == size) {
                batches.add(current);
                current = new ArrayList<>(size);
            }
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken: the next call fails with its own error
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
