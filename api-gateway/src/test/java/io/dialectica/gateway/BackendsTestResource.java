package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * The gateway's surroundings in tests: one WireMock server on a free port standing in for every
 * HTTP backend, a port where nothing listens (a backend that is down), and a Redis key space of
 * its own for this run. Besides concept-service it configures test-only backends and routes, each
 * with its own circuit breaker, so that tripping one in a test leaves the others closed:
 * <ul>
 *   <li>{@code /api/test/slow/**} → "slow": read timeout 300 ms;</li>
 *   <li>{@code /api/test/trickle/**} → "trickle": overall timeout 1 s, read timeout 2 s;</li>
 *   <li>{@code /api/test/down/**} → "down": nothing listens there;</li>
 *   <li>{@code /api/test/flaky/**} → "flaky": breaker opens after 4 calls at 50 % failures;</li>
 * </ul>
 * The real routes of graph-service, search-service and thesis-service lead to the same WireMock, each
 * under a base path of its own ({@code /graph-service}, {@code /search-service}, {@code /thesis-service}),
 * so a test sees which backend a request reached. Job progress comes from a Kafka topic of this run
 * ({@code dialectica.test.gateway-progress.<uuid>}, created here, deleted at the end).
 * Redis must already run on 127.0.0.1:16379 and Kafka on 127.0.0.1:19092 ({@code ./dialectica up} starts them).
 */
public class BackendsTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String REDIS_HOST = "127.0.0.1";
    public static final int REDIS_PORT = 16379;

    public static final String KAFKA = "127.0.0.1:19092";
    public static final int PROGRESS_PARTITIONS = 3;
    public static final int MAX_SUBSCRIPTIONS = 4;

    private WireMockServer wireMock;
    private String topic;

    @Override
    public Map<String, String> start() {
        requireRedis();
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().gzipDisabled(true));
        wireMock.start();
        wireMock.stubFor(get(urlPathMatching("(/[a-z-]+)?/q/health/ready"))
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"UP\"}")));
        String url = "http://127.0.0.1:" + wireMock.port();

        Map<String, String> config = new HashMap<>();
        config.put("gateway.backends.concept-service.url", url);
        config.put("gateway.rate-limit.key-prefix", "dialectica:gateway:test:" + UUID.randomUUID() + ":");

        backend(config, "slow", url, "/api/test/slow/**");
        config.put("gateway.backends.slow.read-timeout", "300ms");

        backend(config, "trickle", url, "/api/test/trickle/**");
        config.put("gateway.backends.trickle.read-timeout", "2s");
        config.put("gateway.backends.trickle.timeout", "1s");

        backend(config, "down", "http://127.0.0.1:" + closedPort(), "/api/test/down/**");

        backend(config, "flaky", url, "/api/test/flaky/**");
        config.put("gateway.backends.flaky.circuit-breaker.request-volume-threshold", "4");
        config.put("gateway.backends.flaky.circuit-breaker.failure-ratio", "0.5");
        config.put("gateway.backends.flaky.circuit-breaker.delay", "60s");

        for (String service : List.of("graph-service", "search-service", "thesis-service")) {
            config.put("gateway.backends." + service + ".url", url + "/" + service);
        }

        topic = "dialectica.test.gateway-progress." + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            admin.createTopics(List.of(new NewTopic(topic, PROGRESS_PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the gateway tests need Kafka on " + KAFKA + " (./dialectica start kafka)", e);
        }
        config.put("gateway.progress.bootstrap-servers", KAFKA);
        config.put("gateway.progress.topic", topic);
        config.put("gateway.jobs.max-subscriptions", Integer.toString(MAX_SUBSCRIPTIONS));
        return config;
    }

    private static void backend(Map<String, String> config, String name, String url, String paths) {
        config.put("gateway.backends." + name + ".url", url);
        config.put("gateway.routes." + name + ".paths", paths);
        config.put("gateway.routes." + name + ".backend", name);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(wireMock, new TestInjector.AnnotatedAndMatchesType(InjectWireMock.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
        if (topic != null) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // a left-over test topic is harmless (its name is unique); do not fail the run for it
            }
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort(); // closed again when this returns: nothing listens there
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireRedis() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(REDIS_HOST, REDIS_PORT), 1000);
        } catch (IOException e) {
            throw new IllegalStateException("the gateway tests need Redis on " + REDIS_HOST + ":" + REDIS_PORT
                    + " (./dialectica up, or: redis-server --bind 127.0.0.1 --port " + REDIS_PORT
                    + " --daemonize yes --save '' --appendonly no)", e);
        }
    }
}
