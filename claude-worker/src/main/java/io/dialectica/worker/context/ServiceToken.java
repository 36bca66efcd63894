package io.dialectica.worker.context;

import io.dialectica.worker.config.WorkerConfig;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Set;

/**
 * The worker's identity towards graph-service: a short-lived RS256 JWT (upn "claude-worker", group
 * "service") signed with the key at {@code dialectica.worker.service-token.key-location}, the same key
 * pair whose public half every service trusts. Re-minted when less than a third of its life is left.
 */
@ApplicationScoped
public class ServiceToken {

    private final WorkerConfig.ServiceToken config;
    private volatile PrivateKey key;
    private volatile String token;
    private volatile Instant renewAt = Instant.EPOCH;

    public ServiceToken(WorkerConfig config) {
        this.config = config.serviceToken();
    }

    /** {@code Bearer <jwt>} */
    public String authorization() {
        return "Bearer " + current();
    }

    synchronized String current() {
        Instant now = Instant.now();
        if (token == null || now.isAfter(renewAt)) {
            Instant expires = now.plus(config.lifetime());
            token = Jwt.issuer(config.issuer())
                    .subject(config.upn())
                    .upn(config.upn())
                    .groups(Set.of("service"))
                    .issuedAt(now)
                    .expiresAt(expires)
                    .jws().keyId(config.keyId())
                    .sign(key());
            renewAt = now.plus(config.lifetime().multipliedBy(2).dividedBy(3));
        }
        return token;
    }

    private PrivateKey key() {
        if (key == null) {
            String location = config.keyLocation();
            String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
            try {
                key = KeyUtils.decodePrivateKey(Files.readString(Path.of(path)));
            } catch (IOException e) {
                throw new UncheckedIOException("service-token key " + location + " is not readable", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("service-token key " + location + " is not a PEM RSA private key", e);
            }
        }
        return key;
    }
}
