package io.dialectica.e2e;

import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.Neo4jProjection;
import io.dialectica.e2e.convergence.PostgresTruth;
import io.dialectica.e2e.convergence.SearchProjection;
import io.dialectica.testsupport.BadInputs;
import io.dialectica.testsupport.TestJwt;
import io.restassured.RestAssured;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Starts the whole write → capture → projection path once per test run, as packaged jars, and points
 * RestAssured at the gateway; everything is stopped and removed when the run ends:
 * <ul>
 *   <li>concept-service against the local PostgreSQL, database {@code concepts_test}, its history consumer on this
 *       run's concept topic;</li>
 *   <li>cdc-connector on {@code concepts_test} with this run's replication slot, offsets topic and change
 *       topics (created here, 3 partitions); the slot is dropped at the end;</li>
 *   <li>a private Neo4j (its own home and Bolt port, so the fault tests may stop it) and graph-service on it;</li>
 *   <li>search-service on the local OpenSearch with this run's alias/index names and Redis cache prefix;</li>
 *   <li>api-gateway routing to all of them, trusting {@link TestJwt}'s key.</li>
 * </ul>
 * The processes start in parallel and are awaited together. Environment overrides: DIALECTICA_TEST_PG,
 * DIALECTICA_TEST_REDIS, DIALECTICA_TEST_KAFKA, DIALECTICA_TEST_OPENSEARCH.
 */
public final class Stack implements BeforeAllCallback {

    /** host:port of the test PostgreSQL; the local stack's by default. */
    static final String PG = env("DIALECTICA_TEST_PG", "127.0.0.1:15432");
    static final String REDIS = env("DIALECTICA_TEST_REDIS", "127.0.0.1:16379");
    static final String KAFKA = env("DIALECTICA_TEST_KAFKA", "127.0.0.1:19092");
    static final String OPENSEARCH = env("DIALECTICA_TEST_OPENSEARCH", "http://127.0.0.1:19200");
    static final String DB_USER = "dialectica";
    static final String DB_PASSWORD = "dialectica";

    /** This run's names: slot, topics, consumer groups, indexes. */
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String SLOT = "e2e_" + RUN;
    static final String CONCEPT_TOPIC = "e2e-" + RUN + ".concept-changes";
    static final String CATEGORY_TOPIC = "e2e-" + RUN + ".category-changes";
    static final String OFFSETS_TOPIC = "e2e-" + RUN + ".cdc-offsets";
    /** graph-service's vectors for search-service: this run's own, never the local stack's topic, group and index. */
    static final String EMBEDDING_TOPIC = "e2e-" + RUN + ".concept-embeddings";
    static final int PARTITIONS = 3;
    static final String SEARCH_ALIAS = "e2e-" + RUN + "-concepts";
    static final String SEARCH_CATEGORIES = "e2e-" + RUN + "-categories";
    /** concept-service's consumer group for the history of this run's concept topic. */
    static final String HISTORY_GROUP = "e2e-" + RUN + "-history";

    private static final Duration READY = Duration.ofSeconds(150);
    private static Running running;
    /** A failed start is not tried again by every test class: they all fail with its cause. */
    private static Throwable failedStart;
    private static Path runDir;
    private static Path logs;

    record Running(PrivateNeo4j neo4j, ServiceProcess concepts, ServiceProcess cdc, ServiceProcess graph,
                   ServiceProcess search, ServiceProcess gateway) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            for (AutoCloseable c : new AutoCloseable[] {gateway, graph, search, cdc, concepts, neo4j}) {
                closeQuietly(c);
            }
            dropSlot();
            deleteTopicsAndIndexes();
            deleteRunDir();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (Stack.class) {
            if (failedStart != null) {
                throw new IllegalStateException("the stack did not start (see the first failure)", failedStart);
            }
            if (running == null) {
                try {
                    running = start();
                } catch (Exception | Error e) {
                    failedStart = e;
                    throw e;
                }
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(Stack.class, running);
            }
        }
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = running.gateway().port();
        // a hung backend fails the test instead of hanging the build
        RestAssured.config = RestAssured.config().httpClient(io.restassured.config.HttpClientConfig.httpClientConfig()
                .setParam("http.connection.timeout", 5_000).setParam("http.socket.timeout", 60_000));
    }

    static ServiceProcess conceptService() {
        return running.concepts();
    }

    static ServiceProcess gateway() {
        return running.gateway();
    }

    static ServiceProcess cdcConnector() {
        return running.cdc();
    }

    static ServiceProcess graphService() {
        return running.graph();
    }

    static ServiceProcess searchService() {
        return running.search();
    }

    static PrivateNeo4j neo4j() {
        return running.neo4j();
    }

    /** This run's scratch directory (copies of the packaged apps, Neo4j's data), removed at the end. */
    static Path runDir() {
        return runDir;
    }

    /** This run's log folder, e2e-tests/target/e2e-logs/RUN (kept). */
    static Path logs() {
        return logs;
    }

    static String jdbcUrl() {
        return "jdbc:postgresql://" + PG + "/concepts_test";
    }

    /** A checker on this run's stores: concepts_test, the private Neo4j, this run's search alias. */
    static ConvergenceChecker checker() {
        return ConvergenceChecker.of(new PostgresTruth(jdbcUrl(), DB_USER, DB_PASSWORD),
                new Neo4jProjection(running.neo4j().boltUri()), new SearchProjection(OPENSEARCH, SEARCH_ALIAS));
    }

    /** Digest of every row of the concept tables (see {@link BadInputs#FINGERPRINT_SQL}). */
    static String fingerprint() {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), DB_USER, DB_PASSWORD);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(BadInputs.FINGERPRINT_SQL)) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the test database at " + PG, e);
        }
    }

    private static Running start() throws Exception {
        Path root = Path.of(System.getProperty("dialectica.root", "..")).toAbsolutePath().normalize();
        // per run, so that two runs from one checkout do not share files: logs stay, the rest goes at the end
        runDir = root.resolve("e2e-tests/target/e2e-run-" + RUN);
        logs = root.resolve("e2e-tests/target/e2e-logs/" + RUN);
        Path key = TestJwt.writePublicKey(runDir.resolve("jwt-public.pem"));
        Map<String, String> jwt = Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", key.toUri().toString(),
                "MP_JWT_VERIFY_ISSUER", TestJwt.ISSUER);
        dropStaleSlots();
        emptyConceptTables();
        createTopics();
        boolean published = publicationExists();

        List<AutoCloseable> started = new ArrayList<>();
        try {
            PrivateNeo4j neo4j = PrivateNeo4j.start(root, runDir, logs);
            started.add(neo4j);
            ServiceProcess concepts = ServiceProcess.start(root, runDir, logs, "concept-service", merge(jwt, conceptEnv()));
            started.add(concepts);
            ServiceProcess search = ServiceProcess.start(root, runDir, logs, "search-service", merge(jwt, searchEnv()));
            started.add(search);
            if (!published) {
                // a fresh database: concept-service's migration creates the publication the connector needs
                concepts.awaitReady(READY);
            }
            // the operators' token on /admin/snapshots (IncrementalSnapshotIT)
            ServiceProcess cdc = ServiceProcess.start(root, runDir, logs, "cdc-connector", merge(jwt, cdcEnv()));
            started.add(cdc);
            ServiceProcess graph = ServiceProcess.start(root, runDir, logs, "graph-service", merge(jwt, graphEnv(neo4j.boltUri())));
            started.add(graph);
            ServiceProcess gateway = ServiceProcess.start(root, runDir, logs, "api-gateway", merge(jwt, Map.of(
                    "GATEWAY_BACKENDS_CONCEPT_SERVICE_URL", concepts.baseUrl(),
                    "GATEWAY_BACKENDS_GRAPH_SERVICE_URL", graph.baseUrl(),
                    "GATEWAY_BACKENDS_SEARCH_SERVICE_URL", search.baseUrl(),
                    "QUARKUS_REDIS_HOSTS", "redis://" + REDIS)));
            started.add(gateway);
            neo4j.awaitReady(READY);
            for (ServiceProcess service : List.of(concepts, search, cdc, graph, gateway)) {
                service.awaitReady(READY);
            }
            warmUp(concepts, graph, search);
            return new Running(neo4j, concepts, cdc, graph, search, gateway);
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                closeQuietly(started.get(i));
            }
            dropSlot();
            deleteTopicsAndIndexes();
            deleteRunDir();
            throw e;
        }
    }

    /**
     * Ready processes are not yet a flowing pipeline: the first change pays for the connector's first capture,
     * the producers' and consumers' first fetches and cold code everywhere (seconds on a loaded 2-core machine,
     * more than a token read waits). One write, awaited in both projections, before any test measures anything.
     */
    private static void warmUp(ServiceProcess concepts, ServiceProcess graph, ServiceProcess search) throws Exception {
        try (io.dialectica.e2e.load.ConceptClient api = new io.dialectica.e2e.load.ConceptClient(concepts.baseUrl(),
                TestJwt.user("e2e-warm-up"))) {
            var created = api.post("/api/concepts", Map.of("name", "Warm-up", "visibility", "PRIVATE",
                    "categories", List.of(Map.of("name", "Warm-up"), Map.of("name", "Cool-down")),
                    "relations", List.of(Map.of("from", "Warm-up", "to", "Cool-down", "type", "NEGATES")))).expect(201);
            long lsn = io.dialectica.contracts.Lsn.parse(api.delete("/api/concepts/" + created.id()).expect(204).consistencyToken());
            Projectors.awaitPosition(graph, lsn, READY);
            Projectors.awaitPosition(search, lsn, READY);
        }
    }

    private static void deleteRunDir() {
        if (runDir == null || !java.nio.file.Files.isDirectory(runDir)) {
            return;
        }
        try (var files = java.nio.file.Files.walk(runDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // target/ is cleaned by the next mvn clean
        }
    }

    /**
     * How long the projectors let a read with {@code X-Consistency-Token} wait here (2 s in production). These
     * tests check <i>what</i> a token read answers, never how fast: with 2 s every token read was a timed test on
     * CI's two loaded cores (a search read answered 504 there). Freshness is measured by {@code bench freshness}.
     * Below the gateway's read timeout (10 s), so a slow projection still answers its own 504.
     */
    private static final String TOKEN_READ_WAIT = "8s";

    static Map<String, String> conceptEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + PG + "/concepts_test");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", DB_USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", DB_PASSWORD);
        // the history: concept-service records this run's concept topic into concept_versions
        env.put("DIALECTICA_HISTORY_KAFKA_BOOTSTRAP_SERVERS", KAFKA);
        env.put("DIALECTICA_HISTORY_KAFKA_TOPIC", CONCEPT_TOPIC);
        env.put("DIALECTICA_HISTORY_KAFKA_GROUP_ID", HISTORY_GROUP);
        return env;
    }

    static Map<String, String> cdcEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("DIALECTICA_CDC_DATABASE_HOST", PG.substring(0, PG.lastIndexOf(':')));
        env.put("DIALECTICA_CDC_DATABASE_PORT", PG.substring(PG.lastIndexOf(':') + 1));
        env.put("DIALECTICA_CDC_DATABASE_NAME", "concepts_test");
        // the schema owner (LOGIN REPLICATION), as cdc-connector's own tests
        env.put("DIALECTICA_CDC_DATABASE_USER", DB_USER);
        env.put("DIALECTICA_CDC_DATABASE_PASSWORD", DB_PASSWORD);
        env.put("DIALECTICA_CDC_KAFKA_BOOTSTRAP_SERVERS", KAFKA);
        env.put("DIALECTICA_CDC_KAFKA_OFFSETS_TOPIC", OFFSETS_TOPIC);
        env.put("DIALECTICA_CDC_KAFKA_PARTITIONS", Integer.toString(PARTITIONS));
        env.put("DIALECTICA_CDC_TOPICS_CONCEPT_CHANGES", CONCEPT_TOPIC);
        env.put("DIALECTICA_CDC_TOPICS_CATEGORY_CHANGES", CATEGORY_TOPIC);
        env.put("DIALECTICA_CDC_SLOT_NAME", SLOT);
        // only what changes from now on: concepts_test is shared with other modules' tests
        env.put("DIALECTICA_CDC_SNAPSHOT_MODE", "no_data");
        env.put("DIALECTICA_CDC_HEARTBEAT_INTERVAL", "300ms");
        env.put("DIALECTICA_CDC_WATERMARK_INTERVAL", "100ms");
        return env;
    }

    static Map<String, String> graphEnv(String boltUri) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_NEO4J_URI", boltUri);
        env.put("QUARKUS_NEO4J_AUTHENTICATION_DISABLED", "true");
        env.put("DIALECTICA_GRAPH_TOPICS_CONCEPT_CHANGES", CONCEPT_TOPIC);
        env.put("DIALECTICA_GRAPH_TOPICS_CATEGORY_CHANGES", CATEGORY_TOPIC);
        env.put("DIALECTICA_GRAPH_TOPICS_CONCEPT_EMBEDDINGS", EMBEDDING_TOPIC);
        env.put("DIALECTICA_GRAPH_KAFKA_BOOTSTRAP_SERVERS", KAFKA);
        env.put("DIALECTICA_GRAPH_KAFKA_GROUP_ID", "e2e-" + RUN + "-graph");
        // POST /admin/rebuild reads this database, as its read-only role dialectica_graph
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl());
        env.put("DIALECTICA_GRAPH_CONSISTENCY_WAIT", TOKEN_READ_WAIT);
        return env;
    }

    static Map<String, String> searchEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_ELASTICSEARCH_HOSTS", URI.create(OPENSEARCH).getAuthority());
        env.put("DIALECTICA_SEARCH_TOPICS_CONCEPT_CHANGES", CONCEPT_TOPIC);
        env.put("DIALECTICA_SEARCH_TOPICS_CATEGORY_CHANGES", CATEGORY_TOPIC);
        env.put("DIALECTICA_SEARCH_KAFKA_BOOTSTRAP_SERVERS", KAFKA);
        env.put("DIALECTICA_SEARCH_KAFKA_GROUP_ID", "e2e-" + RUN + "-search");
        env.put("DIALECTICA_SEARCH_INDEX_ALIAS", SEARCH_ALIAS);
        env.put("DIALECTICA_SEARCH_INDEX_PREFIX", SEARCH_ALIAS);
        env.put("DIALECTICA_SEARCH_INDEX_CATEGORIES", SEARCH_CATEGORIES);
        env.put("DIALECTICA_SEARCH_TOPICS_CONCEPT_EMBEDDINGS", EMBEDDING_TOPIC);
        env.put("DIALECTICA_SEARCH_EMBEDDINGS_GROUP_ID", "e2e-" + RUN + "-search-embeddings");
        env.put("DIALECTICA_SEARCH_INDEX_EMBEDDINGS", "e2e-" + RUN + "-embeddings");
        env.put("DIALECTICA_SEARCH_CACHE_PREFIX", "e2e-" + RUN + ":search:");
        env.put("QUARKUS_REDIS_HOSTS", "redis://" + REDIS);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl());
        env.put("DIALECTICA_SEARCH_CONSISTENCY_WAIT", TOKEN_READ_WAIT);
        return env;
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), DB_USER, DB_PASSWORD);
    }

    private static boolean publicationExists() {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_publication where pubname = 'dialectica_cdc'")) {
            rs.next();
            return rs.getInt(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the test database at " + PG + " (./dialectica start postgres)", e);
        }
    }

    /**
     * This run's topics start empty and its connector streams only what changes from now on (snapshot mode
     * no_data), so rows left in concepts_test by other modules' tests would never reach them: a category
     * that an earlier test created and this run merely reuses has no event in this run's category topic
     * (concept-service no longer rewrites a category it only uses), and the projections would lack its name.
     * The run starts from empty concept tables, as a fresh system does.
     */
    private static void emptyConceptTables() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("truncate table concept_relations, concept_categories, concepts, categories cascade");
        } catch (SQLException e) {
            // the tables are missing in a database concept-service never migrated: nothing to empty then
        }
    }

    /** Slots of earlier runs that died before their clean-up would hold WAL for ever. */
    private static void dropStaleSlots() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots "
                    + "where slot_name like 'e2e\\_%' and not active and database = current_database()");
            s.execute("delete from cdc_heartbeat where slot_name like 'e2e\\_%'");
        } catch (SQLException e) {
            // cdc_heartbeat is missing in a database concept-service never migrated: nothing to clean then
        }
    }

    /** Created before any process starts, so no consumer's metadata request auto-creates them with 1 partition. */
    private static void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.createTopics(List.of(new NewTopic(CONCEPT_TOPIC, PARTITIONS, (short) 1),
                    new NewTopic(CATEGORY_TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    static void dropSlot() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '"
                        + SLOT + "' and not active");
                s.execute("delete from cdc_heartbeat where slot_name = '" + SLOT + "'");
                ResultSet rs = s.executeQuery("select count(*) from pg_replication_slots where slot_name = '" + SLOT + "'");
                rs.next();
                if (rs.getInt(1) == 0) {
                    return;
                }
                Thread.sleep(500);
            } catch (SQLException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void deleteTopicsAndIndexes() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.deleteTopics(List.of(CONCEPT_TOPIC, CATEGORY_TOPIC, OFFSETS_TOPIC)).all().get(10, TimeUnit.SECONDS);
            // created by graph-service on its first vector (absent if it embedded nothing)
            admin.deleteTopics(List.of(EMBEDDING_TOPIC)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // leftovers only cost disk in the local Kafka
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            http.send(HttpRequest.newBuilder(URI.create(OPENSEARCH + "/e2e-" + RUN + "-*")).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            // leftovers only cost disk in the local OpenSearch
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        HashMap<String, String> merged = new HashMap<>(a);
        merged.putAll(b);
        return merged;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
