package io.dialectica.testsupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A test run's own Kafka topics on the real broker: made at the start, removed (best effort) at the end. */
public final class TestTopics {

    private TestTopics() {
    }

    /** Creates the topics and waits for them; a broker that is not there fails the test run at once. */
    public static void create(String bootstrap, List<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the test topics on " + bootstrap, e);
        }
    }

    /** Deletes the topics and consumer groups; a leftover is harmless, so failures are ignored. */
    public static void deleteQuietly(String bootstrap, List<String> topics, List<String> groups) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
            admin.deleteConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort
        }
    }
}
