package io.dialectica.thesis;

import io.dialectica.testsupport.TestTopics;
import io.dialectica.testsupport.TopicCollector;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

/**
 * The service's test world: the local stack's PostgreSQL (database theses_test) and Kafka (per-run
 * topics and consumer group), WireMock as concept-service, and the test JWT key. Every test class
 * names it, so Quarkus starts it once per profile; each start uses its own topics.
 */
public class ThesisTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BOOTSTRAP = System.getProperty("dialectica.test.kafka", "127.0.0.1:19092");
    public static String run;
    public static WireMockServer conceptService;
    public static TopicCollector topics;

    public static String topic(String kind) {
        return "thesis-service-test-" + run + "." + kind;
    }

    @Override
    public Map<String, String> start() {
        run = UUID.randomUUID().toString().substring(0, 8);
        conceptService = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        conceptService.start();
        // every concept is visible unless a test says otherwise (a more specific stub wins)
        conceptService.stubFor(get(urlPathMatching("/api/concepts/[^/]+")).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"name\":\"a concept\"}")));
        TestTopics.create(BOOTSTRAP, List.of(new NewTopic(topic("requests"), 3, (short) 1),
                    new NewTopic(topic("progress"), 3, (short) 1), new NewTopic(topic("results"), 3, (short) 1),
                    new NewTopic(topic("dead-letter"), 1, (short) 1)));
        topics = new TopicCollector(BOOTSTRAP, List.of(topic("requests"), topic("progress")));
        try {
            Path key = TestJwt.writePublicKey(Files.createTempFile("thesis-test-jwt", ".pem"));
            key.toFile().deleteOnExit();
            Map<String, String> config = new HashMap<>();
            config.put("dialectica.test.run", run);
            config.put("dialectica.thesis.kafka.bootstrap-servers", BOOTSTRAP);
            config.put("quarkus.rest-client.concept-service.url", conceptService.baseUrl());
            config.put("mp.jwt.verify.publickey.location", key.toUri().toString());
            config.put("mp.jwt.verify.issuer", TestJwt.ISSUER);
            return config;
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
                List.of("thesis-service-test-" + run));
        if (conceptService != null) {
            conceptService.stop();
        }
    }
}
