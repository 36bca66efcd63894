package io.dialectica.testsupport;

import io.smallrye.jwt.build.Jwt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * Signs test tokens with an RS256 key pair generated once per JVM, so no test depends on keys
 * lying around on the machine. {@link JwtTestResource} hands the public half to the service under test.
 */
public final class TestJwt {

    /** The issuer every Dialectica service expects (see docs/local-stack.md). */
    public static final String ISSUER = "https://dialectica.local/issuer";

    private static final KeyPair KEYS = generate();
    /** A second key pair nobody trusts: tokens signed with it must be rejected. */
    private static final KeyPair FORGER = generate();

    private TestJwt() {
    }

    /** A valid token for a regular user. */
    public static String user(String subject) {
        return sign(subject, Set.of("user"), Instant.now().plusSeconds(3600), KEYS.getPrivate());
    }

    /** A valid token for an administrator. */
    public static String admin(String subject) {
        return sign(subject, Set.of("user", "admin"), Instant.now().plusSeconds(3600), KEYS.getPrivate());
    }

    /** A correctly signed token that expired an hour ago. */
    public static String expired(String subject) {
        return sign(subject, Set.of("user"), Instant.now().minusSeconds(3600), KEYS.getPrivate());
    }

    /** A well-formed token signed by a key the services do not trust. */
    public static String forged(String subject) {
        return sign(subject, Set.of("user", "admin"), Instant.now().plusSeconds(3600), FORGER.getPrivate());
    }

    /** The trusted public key, to check a signature made with the key of {@link #writeSigningKey}. */
    public static PublicKey publicKey() {
        return KEYS.getPublic();
    }

    /** The trusted public key as PEM (SubjectPublicKeyInfo), as smallrye-jwt reads it. */
    public static String publicKeyPem() {
        return pem("PUBLIC KEY", KEYS.getPublic().getEncoded());
    }

    /** Writes the trusted public key to {@code file} and returns the file. */
    public static Path writePublicKey(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, publicKeyPem());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the trusted private key (PKCS#8 PEM) to {@code file}, for a service under test that signs its own
     * service tokens (claude-worker → graph-service) with a key the other services trust. Test keys only.
     */
    public static Path writeSigningKey(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, pem("PRIVATE KEY", KEYS.getPrivate().getEncoded()));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sign(String subject, Set<String> groups, Instant expiresAt, PrivateKey key) {
        Instant issuedAt = expiresAt.isBefore(Instant.now()) ? expiresAt.minusSeconds(3600) : Instant.now();
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .upn(subject)
                .groups(groups)
                .issuedAt(issuedAt)
                .expiresAt(expiresAt)
                .jws().keyId("dialectica-test")
                .sign(key);
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
