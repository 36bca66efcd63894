package io.dialectica.gateway.studio;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The studio's files, from the classpath folder {@code studio/} ({@code src/main/resources/studio}, plus
 * {@code studio/vendor/} copied from the Cytoscape.js WebJar by the build): {@code GET /} is {@code index.html},
 * {@code GET /studio/<file>} and {@code /studio/vendor/<file>} the rest. GET and HEAD only, without a token.
 *
 * <p>Served by these two routes rather than Quarkus' {@code META-INF/resources} handler, whose catch-all GET route
 * would turn every other method on every path into a 405 instead of the HTTP layer's 404 problem. A file that does
 * not exist falls through to that 404 problem; a method other than GET/HEAD on {@code /} or {@code /studio/...} is
 * the HTTP layer's 405 problem.
 *
 * <p>Files are read once and kept in memory (a few hundred KiB). Each answer carries a strong {@code ETag} and
 * {@code Cache-Control: no-cache}: browsers revalidate, a 304 costs nothing, and a new gateway release is seen at the
 * next load.
 */
@ApplicationScoped
public class StudioAssets {

    private static final Pattern FILE = Pattern.compile("(vendor/)?[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html;charset=UTF-8",
            "js", "text/javascript;charset=UTF-8",
            "mjs", "text/javascript;charset=UTF-8",
            "css", "text/css;charset=UTF-8",
            "svg", "image/svg+xml",
            "png", "image/png");

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    record Asset(Buffer body, String type, String etag) {
    }

    void mount(@Observes Router router) {
        router.route("/").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> serve(ctx, "index.html"));
        router.routeWithRegex("/studio/(.+)").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(ctx -> serve(ctx, ctx.pathParam("param0")));
    }

    private void serve(RoutingContext ctx, String name) {
        if (name == null || !FILE.matcher(name).matches() || name.contains("..")) {
            ctx.next();
            return;
        }
        Optional<Asset> known = cache.get(name);
        if (known != null) {
            answer(ctx, known);
            return;
        }
        ctx.vertx().executeBlocking(() -> cache.computeIfAbsent(name, StudioAssets::load), false)
                .onSuccess(asset -> answer(ctx, asset))
                .onFailure(ctx::fail);
    }

    private static void answer(RoutingContext ctx, Optional<Asset> found) {
        if (found.isEmpty()) {
            ctx.next(); // the HTTP layer's 404 problem
            return;
        }
        Asset asset = found.get();
        var response = ctx.response()
                .putHeader("Content-Type", asset.type())
                .putHeader("ETag", asset.etag())
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Content-Type-Options", "nosniff");
        String ifNoneMatch = ctx.request().getHeader("If-None-Match");
        if (ifNoneMatch != null && ifNoneMatch.contains(asset.etag())) {
            response.setStatusCode(304).end();
        } else if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader("Content-Length", Integer.toString(asset.body().length())).end();
        } else {
            response.end(asset.body());
        }
    }

    static Optional<Asset> load(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        String type = TYPES.get(extension);
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = StudioAssets.class.getClassLoader().getResourceAsStream("studio/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
            return Optional.of(new Asset(Buffer.buffer(bytes), type, etag));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
