package io.dialectica.gateway.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;

/**
 * Browsers cannot set an {@code Authorization} header on a WebSocket upgrade, so on the WebSocket paths
 * ({@code /ws/...}) the bearer JWT may come as the {@code access_token} query parameter instead
 * (RFC 6750 §2.3). The token then takes exactly the path of a header token: the same
 * {@link TokenAuthenticationRequest} with a {@link JsonWebTokenCredential}, verified by smallrye-jwt's
 * identity provider (signature, issuer, expiry, {@code mp.jwt.*}). Nowhere else is the parameter read
 * (an {@code /api} request must use the header), and a request that has an {@code Authorization}
 * header is left to smallrye-jwt's own mechanism. The token is never logged: the gateway logs paths,
 * never query strings.
 */
@ApplicationScoped
public class QueryTokenAuthMechanism implements HttpAuthenticationMechanism {

    public static final String PARAMETER = "access_token";
    private static final String WS_PREFIX = "/ws/";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager identityProviderManager) {
        String token = queryToken(ctx);
        if (token == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        AuthenticationRequest request = new TokenAuthenticationRequest(new JsonWebTokenCredential(token));
        return identityProviderManager.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, ctx));
    }

    /** The query token of a WebSocket path without an Authorization header; null otherwise. */
    static String queryToken(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (path == null || !path.startsWith(WS_PREFIX) || ctx.request().headers().contains(HttpHeaders.AUTHORIZATION)) {
            return null;
        }
        List<String> values = ctx.queryParam(PARAMETER);
        if (values.size() != 1 || values.get(0).isBlank()) {
            return null; // absent, or ambiguous: not authenticated (401)
        }
        return values.get(0).strip();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }
}
