package io.dialectica.concept.rest;

import io.dialectica.concept.config.ConceptServiceConfig;
import io.dialectica.service.http.HttpProblems;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Refuses an oversized body from its Content-Length, before a byte of it is read, with a problem document
 * (service-support's {@link HttpProblems}: the request id, and the body still being sent is read and dropped
 * so the client gets the 413 instead of a broken pipe). A chunked body without a length is still capped by
 * quarkus.http.limits.max-body-size.
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
                HttpProblems.send(context, 413, "payload-too-large", "Payload too large",
                        "the body has " + length.strip() + " bytes; at most " + limit + " are accepted");
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
