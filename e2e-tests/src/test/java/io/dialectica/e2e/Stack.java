package io.dialectica.e2e;

import io.dialectica.testsupport.BadInputs;
import io.dialectica.testsupport.TestJwt;
import io.restassured.RestAssured;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/**
 * Starts concept-service and api-gateway once per test run, as packaged jars, against the local
 * PostgreSQL (database {@code concepts_test}) and Redis, trusting {@link TestJwt}'s key; points
 * RestAssured at the gateway. Stopped when the run ends.
 */
public final class Stack implements BeforeAllCallback {

    /** host:port of the test PostgreSQL; the local stack's by default. */
    static final String PG = env("DIALECTICA_TEST_PG", "127.0.0.1:15432");
    static final String REDIS = env("DIALECTICA_TEST_REDIS", "127.0.0.1:16379");
    private static final String DB_USER = "dialectica";
    private static final String DB_PASSWORD = "dialectica";

    private static Running running;

    record Running(ServiceProcess concepts, ServiceProcess gateway) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Throwable {
            gateway.close();
            concepts.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (Stack.class) {
            if (running == null) {
                running = start();
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(Stack.class, running);
            }
        }
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = running.gateway().port();
    }

    static ServiceProcess conceptService() {
        return running.concepts();
    }

    static ServiceProcess gateway() {
        return running.gateway();
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
        Path key = TestJwt.writePublicKey(root.resolve("e2e-tests/target/e2e-jwt-public.pem"));
        Map<String, String> common = Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", key.toUri().toString(),
                "MP_JWT_VERIFY_ISSUER", TestJwt.ISSUER);

        ServiceProcess concepts = ServiceProcess.start(root, "concept-service", merge(common, Map.of(
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + PG + "/concepts_test",
                "QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", DB_USER,
                "QUARKUS_DATASOURCE_PASSWORD", DB_PASSWORD)));
        ServiceProcess gateway = ServiceProcess.start(root, "api-gateway", merge(common, Map.of(
                "GATEWAY_BACKENDS_CONCEPT_SERVICE_URL", "http://127.0.0.1:" + concepts.port(),
                "QUARKUS_REDIS_HOSTS", "redis://" + REDIS)));
        Running started = new Running(concepts, gateway);
        try {
            concepts.awaitReady(Duration.ofSeconds(90));
            gateway.awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException | InterruptedException e) {
            gateway.close();
            concepts.close();
            throw e;
        }
        return started;
    }

    private static String jdbcUrl() {
        return "jdbc:postgresql://" + PG + "/concepts_test";
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        java.util.HashMap<String, String> merged = new java.util.HashMap<>(a);
        merged.putAll(b);
        return merged;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
