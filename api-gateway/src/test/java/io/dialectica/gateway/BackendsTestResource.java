package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

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
 *   <li>{@code /api/concepts/{id}/theses/**} → "theses": base path {@code /theses-backend}, more specific
 *   than {@code /api/concepts/**}.</li>
 * </ul>
 * Redis must already run on 127.0.0.1:16379 ({@code ./dialectica up} starts it).
 */
public class BackendsTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String REDIS_HOST = "127.0.0.1";
    public static final int REDIS_PORT = 16379;

    private WireMockServer wireMock;

    @Override
    public Map<String, String> start() {
        requireRedis();
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().gzipDisabled(true));
        wireMock.start();
        wireMock.stubFor(get(urlPathMatching("(/theses-backend)?/q/health/ready"))
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

        backend(config, "theses", url + "/theses-backend", "/api/concepts/{id}/theses/**");
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
