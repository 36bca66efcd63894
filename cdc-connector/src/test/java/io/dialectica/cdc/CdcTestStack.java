package io.dialectica.cdc;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.flywaydb.core.Flyway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real stack for the tests: PostgreSQL with wal_level=logical and Kafka, both from the local stack by
 * default (./dialectica start postgres / start kafka), overridable by environment:
 * CDC_TEST_PG_HOST (127.0.0.1), CDC_TEST_PG_PORT (15432), CDC_TEST_PG_DB (concepts_test),
 * CDC_TEST_PG_USER / CDC_TEST_PG_PASSWORD (dialectica: owner of the schema, with REPLICATION; the tests write
 * rows with it), CDC_TEST_CDC_USER / CDC_TEST_CDC_PASSWORD (dialectica_cdc: the connector's own role, LOGIN
 * REPLICATION with the grants of concept-service's migrations, as in production), CDC_TEST_KAFKA (127.0.0.1:19092).
 *
 * <p>Migrates the database with concept-service's own migrations (no clean: the database is shared with
 * concept-service's tests; out of order allowed, so a migration numbered below one this database already has
 * still applies), and gives this run its own replication slot, change topics and offsets topic, all removed
 * again at the end.
 */
public class CdcTestStack implements QuarkusTestResourceLifecycleManager {

    static final String PG_HOST = env("CDC_TEST_PG_HOST", "127.0.0.1");
    static final int PG_PORT = Integer.parseInt(env("CDC_TEST_PG_PORT", "15432"));
    static final String PG_DB = env("CDC_TEST_PG_DB", "concepts_test");
    static final String PG_USER = env("CDC_TEST_PG_USER", "dialectica");
    static final String PG_PASSWORD = env("CDC_TEST_PG_PASSWORD", "dialectica");
    static final String CDC_USER = env("CDC_TEST_CDC_USER", "dialectica_cdc");
    static final String CDC_PASSWORD = env("CDC_TEST_CDC_PASSWORD", "dialectica_cdc");
    static final String KAFKA = env("CDC_TEST_KAFKA", "127.0.0.1:19092");
    /** Small chunks: an incremental snapshot of the test database takes many windows, interleaved with writes. */
    static final int SNAPSHOT_CHUNK = 50;

    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String SLOT = "dialectica_cdc_test_" + RUN;
    static final String CONCEPT_TOPIC = "test-" + RUN + ".concept-changes";
    static final String CATEGORY_TOPIC = "test-" + RUN + ".category-changes";
    static final String OFFSETS_TOPIC = "test-" + RUN + ".cdc-offsets";
    static final int PARTITIONS = 3;

    static String jdbcUrl() {
        return "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + PG_DB;
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), PG_USER, PG_PASSWORD);
    }

    static Connection connectAs(String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    @Override
    public Map<String, String> start() {
        Path migrations = Path.of("..", "concept-service", "src", "main", "resources", "db", "migration").toAbsolutePath()
                .normalize();
        if (!Files.isDirectory(migrations)) {
            throw new IllegalStateException("concept-service migrations not found at " + migrations);
        }
        try {
            Flyway.configure().dataSource(jdbcUrl(), PG_USER, PG_PASSWORD)
                    .locations("filesystem:" + migrations).outOfOrder(true).load().migrate();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot migrate " + jdbcUrl() + " as " + PG_USER
                    + " (is PostgreSQL up? ./dialectica start postgres, or set CDC_TEST_PG_*)", e);
        }
        dropStaleTestSlots();
        return Map.ofEntries(
                Map.entry("dialectica.cdc.database.host", PG_HOST),
                Map.entry("dialectica.cdc.database.port", Integer.toString(PG_PORT)),
                Map.entry("dialectica.cdc.database.name", PG_DB),
                Map.entry("dialectica.cdc.database.user", CDC_USER),
                Map.entry("dialectica.cdc.database.password", CDC_PASSWORD),
                Map.entry("dialectica.cdc.kafka.bootstrap-servers", KAFKA),
                Map.entry("dialectica.cdc.kafka.partitions", Integer.toString(PARTITIONS)),
                Map.entry("dialectica.cdc.kafka.offsets-topic", OFFSETS_TOPIC),
                Map.entry("dialectica.cdc.topics.concept-changes", CONCEPT_TOPIC),
                Map.entry("dialectica.cdc.topics.category-changes", CATEGORY_TOPIC),
                Map.entry("dialectica.cdc.slot-name", SLOT),
                Map.entry("dialectica.cdc.heartbeat-interval", "300ms"),
                Map.entry("dialectica.cdc.watermark-interval", "100ms"),
                Map.entry("dialectica.cdc.incremental-snapshot.chunk-size", Integer.toString(SNAPSHOT_CHUNK)));
    }

    @Override
    public void stop() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '"
                        + SLOT + "' and not active");
                s.execute("delete from cdc_heartbeat where slot_name = '" + SLOT + "'");
                var rs = s.executeQuery("select count(*) from pg_replication_slots where slot_name = '" + SLOT + "'");
                rs.next();
                if (rs.getInt(1) == 0) {
                    break;
                }
                Thread.sleep(500);
            } catch (SQLException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            // the snapshots' signals and watermarks (with the insert_insert watermarking a delete is no signal)
            s.execute("delete from cdc_signal");
        } catch (SQLException e) {
            // a few leftover rows cost nothing
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.deleteTopics(List.of(CONCEPT_TOPIC, CATEGORY_TOPIC, OFFSETS_TOPIC)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // leftovers only cost disk in the local Kafka
        }
    }

    /** Slots of earlier runs that died before their clean-up: they would hold WAL for ever. */
    private static void dropStaleTestSlots() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots "
                    + "where slot_name like 'dialectica_cdc_test_%' and not active and database = current_database()");
            s.execute("delete from cdc_heartbeat where slot_name like 'dialectica_cdc_test_%'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot clean up old test slots", e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
