package io.dialectica.e2e;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus service started as its own JVM, as in production, and stopped with SIGTERM. It can be
 * killed with SIGKILL and started again on the same port with the same environment (fault tests).
 */
final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final int port;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path root;
    private final Path log;
    private volatile Process process;

    private ServiceProcess(String name, int port, List<String> command, Map<String, String> env, Path root, Path log) {
        this.name = name;
        this.port = port;
        this.command = command;
        this.env = env;
        this.root = root;
        this.log = log;
    }

    private static final Map<String, Integer> STARTED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Starts the module in {@link Stack}'s run directory and log folder. */
    static ServiceProcess start(Path root, String module, Map<String, String> env) throws IOException {
        return start(root, Stack.runDir(), Stack.logs(), module, env);
    }

    /**
     * Starts a copy of the module's packaged app (in {@code runDir/apps}), logging to {@code logs/<module>.log}.
     */
    static ServiceProcess start(Path root, Path runDir, Path logs, String module, Map<String, String> env) throws IOException {
        Path app = root.resolve(module).resolve("target/quarkus-app");
        if (!Files.exists(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app.resolve("quarkus-run.jar") + " is missing: package " + module + " first (./mvnw package)");
        }
        // run a private copy: a build of the module during the run (another checkout user, an IDE) rewrites
        // target/quarkus-app under the running JVM, which loads classes from those jars lazily
        Path jar = copy(app, runDir.resolve("apps").resolve(module)).resolve("quarkus-run.jar");
        int port = freePort();
        int instance = STARTED.merge(module, 1, Integer::sum);
        Path log = logs.resolve(instance == 1 ? module + ".log" : module + "-" + instance + ".log");
        Files.createDirectories(logs);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-Xmx256m", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-jar", jar.toString());
        ServiceProcess service = new ServiceProcess(module, port, command, Map.copyOf(env), root, log);
        service.launch();
        return service;
    }

    private synchronized void launch() throws IOException {
        Files.writeString(log, "\n===== " + Instant.now() + " starting " + name + " =====\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        process = builder.start();
    }

    /** Waits until /q/health/ready answers 200, or fails naming the log to read. */
    ServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Process current = process;
            if (!current.isAlive()) {
                throw new IllegalStateException(name + " exited with " + current.exitValue() + "; see " + log);
            }
            if (ready()) {
                return this;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not ready after " + timeout + "; see " + log);
    }

    /** kill -9: no shutdown hook, no flush, no offset commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Starts the service again (after {@link #kill()} or {@link #close()}), same port, same environment. */
    ServiceProcess restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
        return this;
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    Path log() {
        return log;
    }

    private boolean ready() {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(baseUrl() + "/q/health/ready").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            return connection.getResponseCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Once per run and module (a second instance of the module runs the same copy). */
    private static synchronized Path copy(Path from, Path to) throws IOException {
        if (Files.exists(to.resolve("quarkus-run.jar"))) {
            return to;
        }
        try (var files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return to;
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port below Linux's ephemeral range (32768–60999): a port the kernel chose with
     * {@code new ServerSocket(0)} can be taken by any outgoing connection (Kafka, JDBC, Bolt clients of
     * the suite) before the service binds it, which made a start fail with "port in use".
     */
    static synchronized int freePort() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = random.nextInt(20000, 32000);
            if (HANDED_OUT.contains(candidate)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(candidate, 1, java.net.InetAddress.getLoopbackAddress())) {
                HANDED_OUT.add(candidate);
                return candidate;
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new IOException("no free port in 20000-32000 after 200 attempts");
    }
}
