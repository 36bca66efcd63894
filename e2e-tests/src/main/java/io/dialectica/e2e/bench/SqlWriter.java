package io.dialectica.e2e.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes a category weight change straight into PostgreSQL, in the shape concept-service commits it: the
 * membership row, then the concept's next version, then the WAL position as consistency token, in one
 * transaction. Used when the benchmark measures the change pipeline (capture → Kafka → projectors) rather
 * than concept-service's own write path, which on this machine saturates first (see docs/benchmarks.md).
 */
final class SqlWriter implements AutoCloseable {

    /** A committed write: the concept's new version and the token a read may carry. */
    record Written(long version, String token) {
    }

    private final ExecutorService workers;
    private final ThreadLocal<Session> sessions;
    private final List<Session> opened = java.util.Collections.synchronizedList(new ArrayList<>());

    SqlWriter(String jdbcUrl, String user, String password, int connections) {
        this.workers = Executors.newFixedThreadPool(connections, Thread.ofPlatform().name("sql-writer-", 0).factory());
        this.sessions = ThreadLocal.withInitial(() -> {
            Session session = new Session(jdbcUrl, user, password);
            opened.add(session);
            return session;
        });
    }

    CompletableFuture<Written> write(String conceptId, String categoryId, double weight) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sessions.get().write(UUID.fromString(conceptId), UUID.fromString(categoryId), weight);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, workers);
    }

    @Override
    public void close() {
        workers.shutdownNow();
        opened.forEach(Session::close);
    }

    private static final class Session {
        private final Connection db;
        private final PreparedStatement membership;
        private final PreparedStatement concept;
        private final PreparedStatement position;

        Session(String jdbcUrl, String user, String password) {
            try {
                db = DriverManager.getConnection(jdbcUrl, user, password);
                db.setAutoCommit(false);
                membership = db.prepareStatement("update concept_categories set weight = ? where concept_id = ? and category_id = ?");
                concept = db.prepareStatement("update concepts set version = version + 1, updated_at = ? where id = ? returning version");
                position = db.prepareStatement("select cast(pg_current_wal_insert_lsn() as text)");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open a benchmark connection", e);
            }
        }

        Written write(UUID conceptId, UUID categoryId, double weight) throws SQLException {
            try {
                membership.setDouble(1, weight);
                membership.setObject(2, conceptId);
                membership.setObject(3, categoryId);
                if (membership.executeUpdate() != 1) {
                    throw new SQLException("no membership " + conceptId + "/" + categoryId);
                }
                concept.setTimestamp(1, Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)));
                concept.setObject(2, conceptId);
                long version;
                try (ResultSet row = concept.executeQuery()) {
                    row.next();
                    version = row.getLong(1);
                }
                String token;
                try (ResultSet row = position.executeQuery()) {
                    row.next();
                    token = row.getString(1);
                }
                db.commit();
                return new Written(version, token);
            } catch (SQLException e) {
                db.rollback();
                throw e;
            }
        }

        void close() {
            try {
                db.close();
            } catch (SQLException ignored) {
                // the benchmark is over
            }
        }
    }
}
