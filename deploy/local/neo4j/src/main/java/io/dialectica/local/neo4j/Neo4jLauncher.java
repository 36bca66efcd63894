package io.dialectica.local.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * The local stack's Neo4j: an embedded DBMS (Neo4j 5.26 LTS) that opens a Bolt connector, run by
 * {@code ./dialectica} as its own process with its own classpath.
 *
 * <p>Local development only: Bolt is plain text (no TLS), HTTP is off, and <b>authentication is
 * disabled</b> unless {@code -Dneo4j.auth=true}; the connector listens on 127.0.0.1 only.
 *
 * <p>Settings (system properties, defaults match docs/local-stack.md):
 * <ul>
 *   <li>{@code neo4j.home} — DBMS home; data and Neo4j's own logs live under it
 *       (default {@code .local/data/neo4j})</li>
 *   <li>{@code neo4j.bolt.host} / {@code neo4j.bolt.port} — default {@code 127.0.0.1} / {@code 17687}</li>
 *   <li>{@code neo4j.pagecache} — page cache size, e.g. {@code 128m} (default)</li>
 *   <li>{@code neo4j.auth} — {@code true} to require authentication (default {@code false})</li>
 * </ul>
 */
public final class Neo4jLauncher {

    private Neo4jLauncher() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path home = Path.of(System.getProperty("neo4j.home", ".local/data/neo4j")).toAbsolutePath().normalize();
        String host = System.getProperty("neo4j.bolt.host", "127.0.0.1");
        int port = Integer.getInteger("neo4j.bolt.port", 17687);
        long pageCache = parseBytes(System.getProperty("neo4j.pagecache", "128m"));
        boolean auth = Boolean.parseBoolean(System.getProperty("neo4j.auth", "false"));

        Files.createDirectories(home);
        log("starting Neo4j (embedded, 5.26) home=" + home + " bolt=" + host + ":" + port
                + " pagecache=" + pageCache / (1024 * 1024) + "m auth=" + (auth ? "enabled" : "DISABLED (local dev only)"));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                // no usage-data reporting: there is no network beyond this machine
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // stop quickly (default: 5 s for connections + a 5 s Netty quiet period); the local
                // stack stops and restarts this process on purpose
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            long t = System.nanoTime();
            try {
                dbms.shutdown();
                log("stopped in " + Duration.ofNanos(System.nanoTime() - t).toMillis() + " ms");
            } catch (RuntimeException e) {
                log("shutdown failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(2))) {
            log("database '" + GraphDatabaseSettings.DEFAULT_DATABASE_NAME + "' did not become available");
            System.exit(1);
        }
        db.executeTransactionally("RETURN 1");
        log("ready: bolt://" + host + ":" + port + " database=" + GraphDatabaseSettings.DEFAULT_DATABASE_NAME
                + " in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");

        stopped.await();
    }

    private static long parseBytes(String value) {
        String v = value.trim().toLowerCase();
        long unit = 1;
        char last = v.charAt(v.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1024L : last == 'm' ? 1024L * 1024 : 1024L * 1024 * 1024;
            v = v.substring(0, v.length() - 1);
        }
        return Long.parseLong(v) * unit;
    }

    private static void log(String message) {
        System.out.println(java.time.Instant.now() + " [neo4j-launcher] " + message);
        System.out.flush();
    }
}
