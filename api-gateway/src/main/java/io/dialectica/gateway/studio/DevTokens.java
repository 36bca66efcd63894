package io.dialectica.gateway.studio;

import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Signs development tokens exactly as {@code ./dialectica token <user>} does (RS256, {@code iss}, {@code sub} =
 * {@code upn} = the user name, {@code groups ["user"]}, {@code iat}, {@code exp}, {@code jti}, {@code kid}), with the
 * local stack's private key. Exists only where {@link #check} allowed it: a development profile is active.
 */
public final class DevTokens {

    /** The profiles in which a dev token may be handed out: Quarkus dev mode, tests, the local stack's gateway. */
    public static final Set<String> DEVELOPMENT_PROFILES = Set.of("dev", "test", "local");

    /** As {@code ./dialectica token}: 1-64 characters of letters, digits and {@code . _ @ -}. */
    static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final StudioConfig.DevToken config;
    private final PrivateKey key;

    private DevTokens(StudioConfig.DevToken config, PrivateKey key) {
        this.config = config;
        this.key = key;
    }

    /**
     * Refuses a dev-token endpoint outside development profiles: with {@code studio.dev-token.enabled=true} and none
     * of {@link #DEVELOPMENT_PROFILES} active, the gateway does not start.
     */
    static void check(boolean enabled, List<String> activeProfiles) {
        if (enabled && activeProfiles.stream().noneMatch(DEVELOPMENT_PROFILES::contains)) {
            throw new IllegalStateException("studio.dev-token.enabled=true is refused in profile(s) " + activeProfiles
                    + ": the dev-token endpoint signs a token for any user name and exists only in the profiles "
                    + DEVELOPMENT_PROFILES + " (the local stack runs the gateway with QUARKUS_PROFILE=local). "
                    + "In production, tokens come from the identity provider (api-gateway/README.md, Studio)");
        }
    }

    /** The signer when the endpoint is enabled (the key is read now: a missing key fails the start), else null. */
    static DevTokens load(StudioConfig.DevToken config) {
        check(config.enabled(), ConfigUtils.getProfiles());
        if (!config.enabled()) {
            return null;
        }
        String location = config.keyLocation();
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        try {
            return new DevTokens(config, KeyUtils.decodePrivateKey(Files.readString(Path.of(path))));
        } catch (IOException e) {
            throw new IllegalStateException("studio.dev-token.key-location " + location + " is not readable "
                    + "(./dialectica up writes .local/keys)", e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("studio.dev-token.key-location " + location
                    + " is not a PKCS#8 PEM RSA private key", e);
        }
    }

    static boolean validUser(String user) {
        return user != null && USER.matcher(user).matches();
    }

    Token sign(String user) {
        Instant now = Instant.now();
        Instant expires = now.plus(config.lifetime());
        String jwt = Jwt.issuer(config.issuer())
                .subject(user)
                .upn(user)
                .groups(Set.of("user"))
                .issuedAt(now)
                .expiresAt(expires)
                .claim("jti", UUID.randomUUID().toString())
                .jws().keyId(config.keyId())
                .sign(key);
        return new Token(jwt, user, expires);
    }

    record Token(String token, String user, Instant expiresAt) {
    }
}
