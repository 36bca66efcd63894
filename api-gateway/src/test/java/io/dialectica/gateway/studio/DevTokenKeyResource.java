package io.dialectica.gateway.studio;

import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The dev-token endpoint switched on (the test profile is a development profile) with TestJwt's trusted key. */
public class DevTokenKeyResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            Path key = TestJwt.writeSigningKey(Files.createTempFile("dialectica-test-dev-token", ".pem"));
            key.toFile().deleteOnExit();
            return Map.of("studio.dev-token.enabled", "true", "studio.dev-token.key-location", key.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the key file is removed when the JVM exits
    }
}
