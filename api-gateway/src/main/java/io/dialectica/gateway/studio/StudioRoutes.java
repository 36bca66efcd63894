package io.dialectica.gateway.studio;

import io.dialectica.gateway.problem.GatewayProblem;
import io.dialectica.gateway.problem.Problems;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The studio's own endpoints beside its static files ({@code META-INF/resources}: {@code /}, {@code /studio/*}, the
 * Cytoscape.js WebJar under {@code /webjars/}):
 * <ul>
 * <li>{@code GET /auth/config}: how the studio signs in here, {@code {"devTokens": true|false}};</li>
 * <li>{@code POST /auth/dev-token} {@code {"user": "alice"}}: a signed dev JWT, only where
 * {@code studio.dev-token.enabled} (development profiles only, see {@link DevTokens#check}); elsewhere the path is not
 * routed at all and answers the HTTP layer's 404 problem.</li>
 * </ul>
 */
@ApplicationScoped
public class StudioRoutes {

    private static final Logger LOG = Logger.getLogger(StudioRoutes.class);
    /** A user name is at most 64 characters: a small body is plenty. */
    private static final long MAX_BODY = 1024;

    void mount(@Observes Router router, StudioConfig config) {
        DevTokens tokens = DevTokens.load(config.devToken());
        router.get("/auth/config").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("devTokens", tokens != null).encode()));
        if (tokens != null) {
            LOG.warnf("studio: POST /auth/dev-token hands out signed tokens for any user name (profile %s; never in prod)",
                    io.quarkus.runtime.configuration.ConfigUtils.getProfiles());
            router.post("/auth/dev-token")
                    .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
                    .handler(ctx -> issue(ctx, tokens));
        }
    }

    private static void issue(RoutingContext ctx, DevTokens tokens) {
        String user;
        try {
            JsonObject body = ctx.body().asJsonObject();
            user = body == null ? null : body.getValue("user") instanceof String s ? s : null;
        } catch (DecodeException | ClassCastException e) {
            Problems.send(ctx, new GatewayProblem(400, "bad-request", "Bad Request",
                    "the body must be a JSON object such as {\"user\": \"alice\"}"));
            return;
        }
        if (!DevTokens.validUser(user)) {
            Problems.send(ctx, new GatewayProblem(400, "bad-request", "Bad Request",
                    "user: must be 1-64 characters of A-Z a-z 0-9 . _ @ -"));
            return;
        }
        DevTokens.Token token = tokens.sign(user);
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("token", token.token()).put("user", token.user())
                        .put("expiresAt", token.expiresAt().toString()).encode());
    }
}
