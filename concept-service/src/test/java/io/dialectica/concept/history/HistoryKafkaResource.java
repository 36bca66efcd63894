package io.dialectica.concept.history;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A change topic of the test's own on the local Kafka (2 partitions, created before the service starts so that its
 * consumer finds it at once) and the history consumer switched on for it. Environment: DIALECTICA_TEST_KAFKA
 * (127.0.0.1:19092).
 */
public class HistoryKafkaResource implements QuarkusTestResourceLifecycleManager {

    static final String BOOTSTRAP = System.getenv().getOrDefault("DIALECTICA_TEST_KAFKA", "127.0.0.1:19092");
    static final String TOPIC = "history-test-" + UUID.randomUUID().toString().substring(0, 8) + ".concept-changes";

    @Override
    public Map<String, String> start() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + TOPIC + " on Kafka at " + BOOTSTRAP
                    + " (./dialectica start kafka)", e);
        }
        return Map.of(
                "dialectica.history.enabled", "true",
                "dialectica.history.kafka.bootstrap-servers", BOOTSTRAP,
                "dialectica.history.kafka.topic", TOPIC,
                "dialectica.history.kafka.group-id", TOPIC + "-history");
    }

    @Override
    public void stop() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            admin.deleteTopics(List.of(TOPIC)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a leftover topic only costs disk in the local Kafka
        }
    }
}
