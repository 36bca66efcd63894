package io.dialectica.gateway.security;

import io.dialectica.gateway.problem.GatewayProblem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.util.function.BiConsumer;

/**
 * Requires a valid bearer JWT on an API request and yields its subject.
 *
 * <p>Authentication is not proactive ({@code quarkus.http.auth.proactive=false}): Quarkus leaves a
 * deferred identity on the request, and this is where it is resolved, so that a missing, expired,
 * forged or malformed token becomes the gateway's own 401 problem document (with the RFC 6750
 * challenge) rather than a bare 401, and public paths ({@code /q/*}) never look at the token.
 * Verification itself (signature, issuer, expiry) is smallrye-jwt's, configured by {@code mp.jwt.*};
 * a token it accepted is then served from {@link VerifiedTokens} until its TTL or its expiry.
 */
@ApplicationScoped
public class BearerAuth {

    private static final Logger LOG = Logger.getLogger(BearerAuth.class);
    private static final BiConsumer<RoutingContext, Throwable> IGNORE_FAILURE = (ctx, failure) -> {
    };

    private static final String BEARER = "Bearer ";

    private final VerifiedTokens verified;

    public BearerAuth(VerifiedTokens verified) {
        this.verified = verified;
    }

    public Uni<String> subject(RoutingContext ctx) {
        String token = bearerToken(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        String known = token == null ? null : verified.subject(token);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        // Quarkus answers a failed deferred authentication itself (a bare 401) unless the request
        // names its own failure handler: let the failure flow on to the problem document instead
        ctx.put(QuarkusHttpUser.AUTH_FAILURE_HANDLER, IGNORE_FAILURE);
        return QuarkusHttpUser.getSecurityIdentity(ctx, null)
                .onFailure().transform(BearerAuth::invalidToken)
                .map(identity -> {
                    if (identity == null || identity.isAnonymous()) {
                        throw GatewayProblem.unauthorized("a bearer token is required", "Bearer");
                    }
                    String subject = subjectOf(identity);
                    if (token != null && identity.getPrincipal() instanceof JsonWebToken jwt
                            && token.equals(jwt.getRawToken())) {
                        verified.remember(token, subject, jwt.getExpirationTime());
                    }
                    return subject;
                });
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive), or null. */
    static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }

    private static Throwable invalidToken(Throwable failure) {
        if (!(failure instanceof AuthenticationFailedException)) {
            // not the token's fault (e.g. the verification key cannot be read): still a 401 for the
            // caller, but the operator must hear about it
            LOG.warnf(failure, "token verification failed unexpectedly");
        }
        return GatewayProblem.unauthorized("the bearer token is invalid or has expired",
                "Bearer error=\"invalid_token\"");
    }

    private static String subjectOf(SecurityIdentity identity) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null) {
            return jwt.getSubject();
        }
        return identity.getPrincipal().getName();
    }
}
