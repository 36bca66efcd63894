package io.dialectica.e2e;

import io.dialectica.testsupport.TestJwt;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The generation path on top of {@link Stack} (which must be registered first: concept-service, cdc-connector,
 * graph-service): once per test run, as packaged jars / real processes,
 * <ul>
 *   <li>a private stand-in of the Messages API on a free port (deploy/local/claude-standin, streaming at
 *       {@link #STANDIN_TOKENS_PER_SECOND} tokens/s so a job streams for seconds);</li>
 *   <li>thesis-service on database {@code theses_test} with this run's generation topics and group;</li>
 *   <li>two claude-worker replicas in this run's consumer group (short Kafka session, so a killed one's
 *       partitions move on within seconds), this run's Redis key prefixes, context from Stack's graph-service;</li>
 *   <li>an api-gateway of its own routing concepts to Stack's concept-service and jobs to this thesis-service,
 *       its WebSocket fed by this run's progress topic.</li>
 * </ul>
 * Everything stops at the end of the run; the run's topics are deleted.
 */
public final class GenerationStack implements BeforeAllCallback {

    static final String REQUESTS = "e2e-" + Stack.RUN + ".generation-requests";
    static final String PROGRESS = "e2e-" + Stack.RUN + ".generation-progress";
    static final String RESULTS = "e2e-" + Stack.RUN + ".generation-results";
    static final String DEAD_LETTER = "e2e-" + Stack.RUN + ".generation-dead-letter";
    static final String WORKER_GROUP = "e2e-" + Stack.RUN + "-claude-worker";
    static final int REQUEST_PARTITIONS = 4;
    static final int STANDIN_TOKENS_PER_SECOND = 150;
    static final String THESES_DB = "theses_test";
    /** A Message Batch at the stand-in ends this long after it was created (BatchJobsIT). */
    static final long STANDIN_BATCH_PROCESSING_MS = 3000;
    /** Jobs per Message Batch in the workers: 20 batch jobs need several batches. */
    static final int BATCH_MAX_REQUESTS = 8;

    private static final Duration READY = Duration.ofSeconds(150);
    private static Running running;
    private static Throwable failedStart;

    record Running(Process standIn, int standInPort, ServiceProcess theses, List<ServiceProcess> workers,
                   ServiceProcess gateway) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            List<AutoCloseable> all = new ArrayList<>();
            all.add(gateway);
            all.addAll(workers);
            all.add(theses);
            all.add(() -> standIn.destroyForcibly().waitFor());
            for (AutoCloseable c : all) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    // best effort
                }
            }
            deleteTopics();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (GenerationStack.class) {
            if (failedStart != null) {
                throw new IllegalStateException("the generation stack did not start (see the first failure)", failedStart);
            }
            if (running == null) {
                try {
                    running = start();
                } catch (Exception | Error e) {
                    failedStart = e;
                    throw e;
                }
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(GenerationStack.class, running);
            }
        }
    }

    /** The stand-in's base URL (its test endpoints: GET /batches, POST /batches/{id}/expire). */
    static String standInUrl() {
        return "http://127.0.0.1:" + running.standInPort();
    }

    static ServiceProcess gateway() {
        return running.gateway();
    }

    static ServiceProcess thesisService() {
        return running.theses();
    }

    /** TestJwt's private key (PKCS#8 PEM), written for the workers' service tokens. */
    static Path signingKey() {
        return Stack.runDir().resolve("jwt-private.pem");
    }

    static List<ServiceProcess> workers() {
        return running.workers();
    }

    /** The Kafka client id of worker replica {@code i} (its consumers'), as the group's member descriptions show it. */
    static String workerClientId(int i) {
        return "e2e-" + Stack.RUN + "-worker-" + i;
    }

    static String theseJdbcUrl() {
        return "jdbc:postgresql://" + Stack.PG + "/" + THESES_DB;
    }

    static Connection thesesDb() throws SQLException {
        return DriverManager.getConnection(theseJdbcUrl(), Stack.DB_USER, Stack.DB_PASSWORD);
    }

    private static Running start() throws Exception {
        Path root = Path.of(System.getProperty("dialectica.root", "..")).toAbsolutePath().normalize();
        Path target = Stack.runDir();
        Path publicKey = TestJwt.writePublicKey(target.resolve("jwt-public.pem"));
        // the worker signs its service tokens for graph-service, which trusts only TestJwt's key
        Path privateKey = TestJwt.writeSigningKey(target.resolve("jwt-private.pem"));
        Map<String, String> jwt = Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toUri().toString(),
                "MP_JWT_VERIFY_ISSUER", TestJwt.ISSUER);
        createTopics();

        List<AutoCloseable> started = new ArrayList<>();
        try {
            int standInPort = ServiceProcess.freePort();
            Process standIn = startStandIn(root, standInPort);
            started.add(() -> standIn.destroyForcibly().waitFor());

            Map<String, String> theses = new HashMap<>(jwt);
            theses.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + Stack.PG + "/" + THESES_DB);
            theses.put("QUARKUS_DATASOURCE_JDBC_URL", theseJdbcUrl());
            theses.put("QUARKUS_DATASOURCE_USERNAME", Stack.DB_USER);
            theses.put("QUARKUS_DATASOURCE_PASSWORD", Stack.DB_PASSWORD);
            theses.put("DIALECTICA_THESIS_KAFKA_BOOTSTRAP_SERVERS", Stack.KAFKA);
            theses.put("DIALECTICA_THESIS_KAFKA_REQUESTS_TOPIC", REQUESTS);
            theses.put("DIALECTICA_THESIS_KAFKA_PROGRESS_TOPIC", PROGRESS);
            theses.put("DIALECTICA_THESIS_KAFKA_RESULTS_TOPIC", RESULTS);
            theses.put("DIALECTICA_THESIS_KAFKA_DEAD_LETTER_TOPIC", DEAD_LETTER);
            theses.put("DIALECTICA_THESIS_KAFKA_GROUP", "e2e-" + Stack.RUN + "-thesis-service");
            theses.put("DIALECTICA_THESIS_OUTBOX_POLL_INTERVAL", "500ms");
            theses.put("QUARKUS_REST_CLIENT_CONCEPT_SERVICE_URL", Stack.conceptService().baseUrl());
            ServiceProcess thesisService = ServiceProcess.start(root, "thesis-service", theses);
            started.add(thesisService);

            List<ServiceProcess> workers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // map keys with dots cannot be spelled as environment variables: a config file per replica
                Path workerConfig = target.resolve("e2e-claude-worker-" + i + ".properties");
                Files.writeString(workerConfig, String.join("\n",
                        "# written by GenerationStack: a killed replica's partitions move within seconds;",
                        "# the client id tells which replica holds a partition (WorkerCrashIT)",
                        "dialectica.worker.kafka.consumer.\"session.timeout.ms\"=6000",
                        "dialectica.worker.kafka.consumer.\"heartbeat.interval.ms\"=1000",
                        "dialectica.worker.kafka.consumer.\"client.id\"=" + workerClientId(i), ""));
                Map<String, String> env = workerEnv(privateKey, standInPort, workerConfig);
                ServiceProcess worker = ServiceProcess.start(root, "claude-worker", env);
                started.add(worker);
                workers.add(worker);
            }

            Map<String, String> gatewayEnv = new HashMap<>(jwt);
            gatewayEnv.put("GATEWAY_BACKENDS_CONCEPT_SERVICE_URL", Stack.conceptService().baseUrl());
            gatewayEnv.put("GATEWAY_BACKENDS_GRAPH_SERVICE_URL", Stack.graphService().baseUrl());
            gatewayEnv.put("GATEWAY_BACKENDS_SEARCH_SERVICE_URL", Stack.searchService().baseUrl());
            gatewayEnv.put("GATEWAY_BACKENDS_THESIS_SERVICE_URL", thesisService.baseUrl());
            gatewayEnv.put("GATEWAY_PROGRESS_TOPIC", PROGRESS);
            gatewayEnv.put("GATEWAY_PROGRESS_BOOTSTRAP_SERVERS", Stack.KAFKA);
            gatewayEnv.put("GATEWAY_PROGRESS_GROUP_PREFIX", "e2e-" + Stack.RUN + "-gateway");
            gatewayEnv.put("QUARKUS_REDIS_HOSTS", "redis://" + Stack.REDIS);
            ServiceProcess gateway = ServiceProcess.start(root, "api-gateway", gatewayEnv);
            started.add(gateway);

            awaitHttp("claude-standin", "http://127.0.0.1:" + standInPort + "/health", standIn, READY);
            for (ServiceProcess service : List.of(thesisService, workers.get(0), workers.get(1), gateway)) {
                service.awaitReady(READY);
            }
            return new Running(standIn, standInPort, thesisService, List.copyOf(workers), gateway);
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            deleteTopics();
            throw e;
        }
    }

    private static Map<String, String> workerEnv(Path privateKey, int standInPort, Path config) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_CONFIG_LOCATIONS", config.toUri().toString());
        env.put("DIALECTICA_WORKER_KAFKA_BOOTSTRAP_SERVERS", Stack.KAFKA);
        env.put("DIALECTICA_WORKER_KAFKA_REQUESTS_TOPIC", REQUESTS);
        env.put("DIALECTICA_WORKER_KAFKA_PROGRESS_TOPIC", PROGRESS);
        env.put("DIALECTICA_WORKER_KAFKA_RESULTS_TOPIC", RESULTS);
        env.put("DIALECTICA_WORKER_KAFKA_DEAD_LETTER_TOPIC", DEAD_LETTER);
        env.put("DIALECTICA_WORKER_KAFKA_GROUP", WORKER_GROUP);
        env.put("DIALECTICA_WORKER_KAFKA_CANCEL_GROUP_PREFIX", WORKER_GROUP + "-cancel");
        env.put("DIALECTICA_WORKER_RATELIMIT_KEY_PREFIX", "e2e-" + Stack.RUN + ":claude-worker:ratelimit");
        env.put("DIALECTICA_WORKER_RATELIMIT_REQUESTS_PER_MINUTE", "600");
        env.put("DIALECTICA_WORKER_CACHE_KEY_PREFIX", "e2e-" + Stack.RUN + ":claude-worker:cache");
        env.put("DIALECTICA_WORKER_ATTEMPTS_KEY_PREFIX", "e2e-" + Stack.RUN + ":claude-worker:attempts");
        // batch jobs: a batch after 8 jobs or 1 s; batches followed every second (each retrieval takes a slot of the
        // shared request limit); a killed replica's leases expire after 20 s
        env.put("DIALECTICA_WORKER_BATCH_KEY_PREFIX", "e2e-" + Stack.RUN + ":claude-worker:batch");
        env.put("DIALECTICA_WORKER_BATCH_MAX_REQUESTS", String.valueOf(BATCH_MAX_REQUESTS));
        env.put("DIALECTICA_WORKER_BATCH_MAX_WAIT", "1s");
        env.put("DIALECTICA_WORKER_BATCH_POLL_INTERVAL", "1s");
        env.put("DIALECTICA_WORKER_BATCH_LEASE", "20s");
        env.put("DIALECTICA_WORKER_CLAUDE_STAND_IN_URL", "http://127.0.0.1:" + standInPort);
        env.put("DIALECTICA_WORKER_CLAUDE_API_KEY", "");
        env.put("DIALECTICA_WORKER_CLAUDE_MAX_TOKENS", "2000");
        env.put("DIALECTICA_WORKER_SERVICE_TOKEN_KEY_LOCATION", privateKey.toString());
        env.put("DIALECTICA_WORKER_SERVICE_TOKEN_KEY_ID", "dialectica-test");
        env.put("DIALECTICA_WORKER_SERVICE_TOKEN_ISSUER", TestJwt.ISSUER);
        env.put("QUARKUS_REST_CLIENT_GRAPH_SERVICE_URL", Stack.graphService().baseUrl());
        env.put("QUARKUS_REDIS_HOSTS", "redis://" + Stack.REDIS);
        return env;
    }

    private static Process startStandIn(Path root, int port) throws IOException {
        Path module = root.resolve("deploy/local/claude-standin/target");
        if (!Files.isDirectory(module.resolve("classes")) || !Files.isDirectory(module.resolve("lib"))) {
            throw new IllegalStateException(module + " is not built: package deploy/local/claude-standin first");
        }
        Path log = Stack.logs().resolve("claude-standin.log");
        Files.createDirectories(log.getParent());
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = module.resolve("classes") + File.pathSeparator + module.resolve("lib") + File.separator + "*";
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx128m", "-Dstandin.port=" + port,
                "-Dstandin.latency-ms=200", "-Dstandin.tokens-per-second=" + STANDIN_TOKENS_PER_SECOND,
                "-Dstandin.batch-processing-ms=" + STANDIN_BATCH_PROCESSING_MS,
                "-cp", classpath, "io.dialectica.local.standin.ClaudeStandIn")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }

    private static void awaitHttp(String name, String url, Process process, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not ready after " + timeout);
    }

    private static void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA))) {
            admin.createTopics(List.of(new NewTopic(REQUESTS, REQUEST_PARTITIONS, (short) 1),
                    new NewTopic(PROGRESS, 3, (short) 1), new NewTopic(RESULTS, 3, (short) 1),
                    new NewTopic(DEAD_LETTER, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void deleteTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.KAFKA))) {
            admin.deleteTopics(List.of(REQUESTS, PROGRESS, RESULTS, DEAD_LETTER)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // leftovers only cost disk in the local Kafka
        }
    }
}
