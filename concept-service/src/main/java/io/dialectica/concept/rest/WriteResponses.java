package io.dialectica.concept.rest;

import io.dialectica.concept.service.Change;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/** Every successful write answers with the concept's new ETag and a consistency token. */
final class WriteResponses {

    /** The WAL position of the write: graph and search reads accept it to read their own writes. */
    static final String CONSISTENCY_TOKEN = "X-Consistency-Token";

    private WriteResponses() {
    }

    static Response created(URI location, Change<?> change) {
        return stamped(Response.created(location), change).entity(change.item()).build();
    }

    static Response ok(Change<?> change) {
        return stamped(Response.ok(change.item()), change).build();
    }

    static Response noContent(Change<?> change) {
        return stamped(Response.noContent(), change).build();
    }

    /** A deleted concept has no version left to name: only the token. */
    static Response deleted(Change<?> change) {
        return Response.noContent().header(CONSISTENCY_TOKEN, change.consistencyToken()).build();
    }

    static EntityTag etag(long version) {
        return new EntityTag(Long.toString(version));
    }

    private static Response.ResponseBuilder stamped(Response.ResponseBuilder builder, Change<?> change) {
        return builder.tag(etag(change.version())).header(CONSISTENCY_TOKEN, change.consistencyToken());
    }
}
