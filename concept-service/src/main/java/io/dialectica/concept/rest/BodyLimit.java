package io.dialectica.concept.rest;

import io.dialectica.concept.config.ConceptServiceConfig;
import io.dialectica.service.problem.Problem;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Refuses an oversized body from its Content-Length, before a byte of it is read, with a problem
 * document. (A chunked body without a length is still capped by quarkus.http.limits.max-body-size.)
 */
@ApplicationScoped
public class BodyLimit {

    @Inject
    ConceptServiceConfig config;

    void register(@Observes Filters filters) {
        long limit = config.maxBodyBytes();
        filters.register(context -> {
            String length = context.request().getHeader("Content-Length");
            if (length != null && exceeds(length, limit)) {
                JsonObject problem = new JsonObject()
                        .put("type", "urn:dialectica:problem:payload-too-large")
                        .put("title", "Payload too large")
                        .put("status", 413)
                        .put("detail", "the body has " + length + " bytes; at most " + limit + " are accepted")
                        .put("instance", context.request().path());
                context.response().setStatusCode(413)
                        .putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close")
                        .end(problem.encode());
                return;
            }
            context.next();
        }, 100);
    }

    private static boolean exceeds(String length, long limit) {
        try {
            return Long.parseLong(length.strip()) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x itself rejects a malformed Content-Length
        }
    }
}
