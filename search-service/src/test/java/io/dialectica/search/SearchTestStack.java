package io.dialectica.search;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.flywaydb.core.Flyway;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real stack for the tests, from the local stack by default (./dialectica start ...), overridable by
 * environment: SEARCH_TEST_OPENSEARCH (http://127.0.0.1:19200), SEARCH_TEST_KAFKA (127.0.0.1:19092),
 * SEARCH_TEST_REDIS (127.0.0.1:16379), SEARCH_TEST_PG (jdbc:postgresql://127.0.0.1:15432/concepts_test).
 *
 * <p>This run gets its own topics, consumer group, index names and Redis prefix, all removed at the end.
 * The concepts_test database is migrated with concept-service's migrations (no clean: it is shared).
 */
public class SearchTestStack implements QuarkusTestResourceLifecycleManager {

    public static final String OPENSEARCH = env("SEARCH_TEST_OPENSEARCH", "http://127.0.0.1:19200");
    public static final String KAFKA = env("SEARCH_TEST_KAFKA", "127.0.0.1:19092");
    public static final String REDIS = env("SEARCH_TEST_REDIS", "127.0.0.1:16379");
    public static final String PG_URL = env("SEARCH_TEST_PG", "jdbc:postgresql://127.0.0.1:15432/concepts_test");
    public static final String PG_USER = "dialectica";
    public static final String PG_PASSWORD = "dialectica";

    public static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    public static final String CONCEPT_TOPIC = "test-search-" + RUN + ".concept-changes";
    public static final String CATEGORY_TOPIC = "test-search-" + RUN + ".category-changes";
    public static final String ALIAS = "test-search-" + RUN + "-concepts";
    /** dialectica.search.index.flush-threshold of the tests: not the default, so ProjectionTest sees it applied. */
    public static final String FLUSH_THRESHOLD = "8mb";
    public static final String CATEGORIES = "test-search-" + RUN + "-categories";
    /** graph-service's vectors, as graph-service publishes them (tests publish them themselves). */
    public static final String EMBEDDING_TOPIC = "test-search-" + RUN + ".concept-embeddings";
    public static final String EMBEDDINGS = "test-search-" + RUN + "-embeddings";
    public static final String CACHE_PREFIX = "test-search-" + RUN + ":";
    public static final int PARTITIONS = 2;

    @Override
    public Map<String, String> start() {
        Path migrations = Path.of("..", "concept-service", "src", "main", "resources", "db", "migration")
                .toAbsolutePath().normalize();
        if (!Files.isDirectory(migrations)) {
            throw new IllegalStateException("concept-service migrations not found at " + migrations);
        }
        Flyway.configure().dataSource(PG_URL, PG_USER, PG_PASSWORD).locations("filesystem:" + migrations).load()
                .migrate();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.createTopics(List.of(new NewTopic(CONCEPT_TOPIC, PARTITIONS, (short) 1),
                    new NewTopic(CATEGORY_TOPIC, PARTITIONS, (short) 1),
                    new NewTopic(EMBEDDING_TOPIC, PARTITIONS, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test topics on " + KAFKA + " (./dialectica start kafka)", e);
        }
        String host = URI.create(OPENSEARCH).getHost() + ":" + URI.create(OPENSEARCH).getPort();
        return Map.ofEntries(
                Map.entry("quarkus.elasticsearch.hosts", host),
                Map.entry("quarkus.redis.hosts", "redis://" + REDIS),
                Map.entry("quarkus.datasource.jdbc.url", PG_URL),
                Map.entry("dialectica.search.kafka.bootstrap-servers", KAFKA),
                Map.entry("dialectica.search.kafka.group-id", "test-search-" + RUN),
                Map.entry("dialectica.search.topics.concept-changes", CONCEPT_TOPIC),
                Map.entry("dialectica.search.topics.category-changes", CATEGORY_TOPIC),
                Map.entry("dialectica.search.index.alias", ALIAS),
                Map.entry("dialectica.search.index.prefix", ALIAS),
                Map.entry("dialectica.search.index.categories", CATEGORIES),
                Map.entry("dialectica.search.topics.concept-embeddings", EMBEDDING_TOPIC),
                Map.entry("dialectica.search.index.embeddings", EMBEDDINGS),
                Map.entry("dialectica.search.index.flush-threshold", FLUSH_THRESHOLD),
                Map.entry("dialectica.search.embeddings.group-id", "test-search-" + RUN + "-embeddings"),
                Map.entry("dialectica.search.cache.prefix", CACHE_PREFIX),
                Map.entry("dialectica.search.consistency-wait", "2s"),
                Map.entry("dialectica.search.consumer.retry-backoff-max", "500ms"));
    }

    @Override
    public void stop() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.deleteTopics(List.of(CONCEPT_TOPIC, CATEGORY_TOPIC, EMBEDDING_TOPIC)).all().get(10, TimeUnit.SECONDS);
            admin.deleteConsumerGroups(List.of("test-search-" + RUN, "test-search-" + RUN + "-embeddings"))
                    .all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // leftovers only cost disk in the local Kafka
        }
        try {
            HttpClient http = HttpClient.newHttpClient();
            for (String pattern : List.of(ALIAS + "*", CATEGORIES, EMBEDDINGS)) {
                http.send(HttpRequest.newBuilder(URI.create(OPENSEARCH + "/" + pattern + "?expand_wildcards=all"))
                        .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            }
        } catch (Exception e) {
            // leftovers only cost disk
        }
        deleteRedisKeys(CACHE_PREFIX + "*");
    }

    /** Deletes keys by pattern with one EVAL over a plain socket (RESP), no client library needed. */
    static void deleteRedisKeys(String pattern) {
        String script = "for _,k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end return 0";
        String[] parts = {"EVAL", script, "0", pattern};
        StringBuilder command = new StringBuilder("*").append(parts.length).append("\r\n");
        for (String part : parts) {
            command.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
        }
        String[] hostPort = REDIS.split(":");
        try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            in.read();
        } catch (Exception e) {
            // the entries expire with their TTL anyway
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
