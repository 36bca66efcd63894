package io.dialectica.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Neo4j of this test run only, started like {@code ./dialectica start neo4j} (the launcher classpath of
 * deploy/local/neo4j) with its own home under target/ and a free Bolt port, so the fault tests can stop it
 * without disturbing anybody else's Neo4j. Stopped and deleted when the run ends.
 */
final class PrivateNeo4j implements AutoCloseable {

    private static final String READY = "[neo4j-launcher] ready:";

    private final Path root;
    private final Path home;
    private final Path log;
    private final int port;
    private volatile Process process;

    private PrivateNeo4j(Path root, Path home, Path log, int port) {
        this.root = root;
        this.home = home;
        this.log = log;
        this.port = port;
    }

    /** Home in {@code runDir/neo4j}, log {@code logs/neo4j.log}. */
    static PrivateNeo4j start(Path root, Path runDir, Path logs) throws IOException {
        Path launcher = root.resolve("deploy/local/neo4j/target");
        if (!Files.isDirectory(launcher.resolve("classes")) || !Files.isDirectory(launcher.resolve("lib"))) {
            throw new IllegalStateException(launcher + " is not built: ./mvnw install -DskipTests -pl deploy/local/neo4j");
        }
        Path home = runDir.resolve("neo4j");
        Files.createDirectories(home);
        Files.createDirectories(logs);
        PrivateNeo4j neo4j = new PrivateNeo4j(root, home, logs.resolve("neo4j.log"), ServiceProcess.freePort());
        neo4j.launch();
        return neo4j;
    }

    String boltUri() {
        return "bolt://127.0.0.1:" + port;
    }

    private synchronized void launch() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        Path lib = root.resolve("deploy/local/neo4j/target");
        command.addAll(List.of("-Ddialectica.process=e2e-neo4j", "-Dneo4j.home=" + home, "-Dneo4j.bolt.host=127.0.0.1",
                "-Dneo4j.bolt.port=" + port, "-Dneo4j.pagecache=64m", "-Dneo4j.auth=false",
                "-cp", lib.resolve("classes") + ":" + lib.resolve("lib") + "/*", "io.dialectica.local.neo4j.Neo4jLauncher"));
        Files.writeString(log, "\n===== " + Instant.now() + " starting =====\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Waits for the launcher's ready line of the current start. */
    PrivateNeo4j awaitReady(Duration timeout) throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the private Neo4j exited with " + process.exitValue() + "; see " + log);
            }
            String text = Files.readString(log);
            int lastStart = text.lastIndexOf("===== ");
            if (text.indexOf(READY, Math.max(lastStart, 0)) >= 0) {
                return this;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the private Neo4j is not ready after " + timeout + "; see " + log);
    }

    /** A clean stop (SIGTERM: the launcher shuts the DBMS down), as an operator would. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Starts it again on the same port with the same data. */
    PrivateNeo4j restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException("the private Neo4j is still running");
        }
        launch();
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
