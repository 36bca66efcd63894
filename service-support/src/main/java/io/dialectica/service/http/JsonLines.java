package io.dialectica.service.http;

import io.smallrye.mutiny.Multi;
import org.jboss.resteasy.reactive.RestMulti;

/** A streamed JSON Lines answer (the services' parts of the gateway's {@code GET /api/me/export}). */
public final class JsonLines {

    /** JSON Lines (jsonlines.org): the name the file's extension, .jsonl, goes with; the gateway expects it. */
    public static final String MEDIA_TYPE = "application/jsonl";

    private JsonLines() {
    }

    /**
     * Streams {@code pages}, each a run of complete lines, as they come. Without {@code encodeAsJsonArray(false)} a
     * media type naming "json" makes Quarkus REST frame the items as one JSON array.
     */
    public static RestMulti<String> stream(Multi<String> pages) {
        return RestMulti.fromMultiData(pages).encodeAsJsonArray(false).build();
    }
}
