package io.dialectica.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/** Redis "down": the client points at a port where nothing listens. */
public class RedisDownProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + socket.getLocalPort(),
                    "gateway.rate-limit.requests", "1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
