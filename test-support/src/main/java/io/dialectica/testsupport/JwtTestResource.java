package io.dialectica.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Points the service under test at {@link TestJwt}'s public key:
 * {@code @QuarkusTestResource(JwtTestResource.class)} on any one test class of a module.
 */
public class JwtTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            Path file = TestJwt.writePublicKey(Files.createTempFile("dialectica-test-jwt", ".pem"));
            file.toFile().deleteOnExit();
            return Map.of(
                    "mp.jwt.verify.publickey.location", file.toUri().toString(),
                    "mp.jwt.verify.issuer", TestJwt.ISSUER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the key file is removed when the JVM exits
    }
}
