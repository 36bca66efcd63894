package io.dialectica.gateway.studio;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The web studio served at {@code /} ({@code META-INF/resources}) and its local sign-in.
 */
@ConfigMapping(prefix = "studio")
public interface StudioConfig {

    DevToken devToken();

    /**
     * {@code POST /auth/dev-token}: a signed JWT for any user name, for the local stack only. Off unless a
     * development profile ({@link DevTokens#DEVELOPMENT_PROFILES}) is active; the gateway refuses to start when it is
     * switched on in any other profile (prod).
     */
    interface DevToken {

        @WithDefault("false")
        boolean enabled();

        /** PKCS#8 PEM of the RSA key the local stack's services trust ({@code .local/keys}, made by ./dialectica). */
        @WithDefault(".local/keys/jwt-private.pem")
        String keyLocation();

        /** {@code iss} of the tokens: the one every service verifies. */
        @WithDefault("https://dialectica.local/issuer")
        String issuer();

        /** {@code kid} header, as {@code ./dialectica token} writes it. */
        @WithDefault("dialectica-dev")
        String keyId();

        @WithDefault("8H")
        Duration lifetime();
    }
}
