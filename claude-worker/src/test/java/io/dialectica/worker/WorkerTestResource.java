package io.dialectica.worker;

import io.dialectica.local.standin.ClaudeStandIn;
import io.dialectica.local.standin.StandInConfig;
import io.dialectica.testsupport.TestJwt;
import io.dialectica.testsupport.TestTopics;
import io.dialectica.testsupport.TopicCollector;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * The worker's test world: real Kafka and Redis of the local stack (per-run topics, group and Redis
 * keys), WireMock as graph-service and as the Messages API, and TestJwt's key as the worker's signing
 * key for its service token (the public half checks its tokens). Behind the Messages API's WireMock runs
 * the project's stand-in ({@link #standIn}, no latency): {@code count_tokens} is always proxied to it, and
 * a test proxies its own concept's Messages calls to it to see the prompt cache work.
 */
public class WorkerTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BOOTSTRAP = System.getProperty("dialectica.test.kafka", "127.0.0.1:19092");
    public static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    public static WireMockServer graph;
    public static WireMockServer claude;
    public static TopicCollector topics;
    public static ClaudeStandIn standIn;
    public static final long BATCH_PROCESSING_MS = 1500;
    private static Path keyDir;

    public static String topic(String kind) {
        return "claude-worker-test-" + RUN + "." + kind;
    }

    @Override
    public Map<String, String> start() {
        graph = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        claude = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .asynchronousResponseEnabled(true).containerThreads(30));
        graph.start();
        claude.start();
        try {
            // a Message Batch ends 1.5 s after it was created: time to cancel one in flight (BatchTest)
            standIn = ClaudeStandIn.start(new StandInConfig("127.0.0.1", 0, 0, 0, 0, 0, Optional.empty())
                    .withBatches(BATCH_PROCESSING_MS, StandInConfig.DEFAULT_BATCH_EXPIRY_MS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        claude.stubFor(post(urlPathEqualTo("/v1/messages/count_tokens")).atPriority(10)
                .willReturn(aResponse().proxiedFrom(standIn.baseUrl())));
        // the batches endpoints: the stand-in's (a test may add its own stub with a fault header)
        claude.stubFor(any(urlPathMatching("/v1/messages/batches.*")).atPriority(10)
                .willReturn(aResponse().proxiedFrom(standIn.baseUrl())));
        TestTopics.create(BOOTSTRAP, List.of(new NewTopic(topic("requests"), 3, (short) 1),
                    new NewTopic(topic("progress"), 3, (short) 1), new NewTopic(topic("results"), 3, (short) 1),
                    new NewTopic(topic("dead-letter"), 1, (short) 1)));
        topics = new TopicCollector(BOOTSTRAP, List.of(topic("progress"), topic("results"), topic("dead-letter")));
        try {
            keyDir = Files.createTempDirectory("claude-worker-test-keys");
            Path key = keyDir.resolve("service-token.pem");
            TestJwt.writeSigningKey(key);
            return Map.of(
                    "dialectica.test.run", RUN,
                    "dialectica.worker.kafka.bootstrap-servers", BOOTSTRAP,
                    "quarkus.rest-client.graph-service.url", graph.baseUrl(),
                    "dialectica.worker.claude.stand-in-url", claude.baseUrl(),
                    "dialectica.worker.service-token.key-location", key.toString(),
                    "dialectica.worker.service-token.key-id", "dialectica-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (topics != null) {
            topics.close();
        }
        TestTopics.deleteQuietly(BOOTSTRAP,
                List.of(topic("requests"), topic("progress"), topic("results"), topic("dead-letter")),
                List.of("claude-worker-test-" + RUN));
        if (graph != null) {
            graph.stop();
        }
        if (claude != null) {
            claude.stop();
        }
        if (standIn != null) {
            standIn.close();
        }
        try {
            if (keyDir != null) {
                Files.deleteIfExists(keyDir.resolve("service-token.pem"));
                Files.deleteIfExists(keyDir);
            }
        } catch (IOException ignored) {
            // temp files
        }
    }
}
