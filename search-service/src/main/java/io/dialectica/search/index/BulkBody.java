package io.dialectica.search.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;

/**
 * The NDJSON body of one {@code _bulk} request: an action line per item, followed by its source for
 * {@code index} actions. The one place that writes that format (the projector, the rebuild, the vectors and the
 * tombstone purge each build bulks).
 */
public final class BulkBody {

    private final ObjectMapper mapper;
    private final ByteArrayOutputStream out;
    private int actions;

    public BulkBody(ObjectMapper mapper, int initialBytes) {
        this.mapper = mapper;
        this.out = new ByteArrayOutputStream(initialBytes);
    }

    /** An {@code index} action with OpenSearch's own versioning. */
    public BulkBody index(String index, String id, Object source) {
        ObjectNode meta = mapper.createObjectNode();
        meta.putObject("index").put("_index", index).put("_id", id);
        return item(meta, source);
    }

    /** An {@code index} action carrying a version of the caller's ({@code external}, {@code external_gte}). */
    public BulkBody index(String index, String id, long version, String versionType, Object source) {
        ObjectNode meta = mapper.createObjectNode();
        meta.putObject("index").put("_index", index).put("_id", id).put("version", version)
                .put("version_type", versionType);
        return item(meta, source);
    }

    /** A {@code delete} action. */
    public BulkBody delete(String index, String id) {
        return item(deleteAction(index, id), null);
    }

    /** A {@code delete} action that only applies while the document is still at that sequence number. */
    public BulkBody deleteIfUnchanged(String index, String id, long seqNo, long primaryTerm) {
        ObjectNode meta = deleteAction(index, id);
        ((ObjectNode) meta.path("delete")).put("if_seq_no", seqNo).put("if_primary_term", primaryTerm);
        return item(meta, null);
    }

    public int actions() {
        return actions;
    }

    public boolean isEmpty() {
        return actions == 0;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    private ObjectNode deleteAction(String index, String id) {
        ObjectNode meta = mapper.createObjectNode();
        meta.putObject("delete").put("_index", index).put("_id", id);
        return meta;
    }

    private BulkBody item(ObjectNode meta, Object source) {
        line(meta);
        if (source != null) {
            line(source);
        }
        actions++;
        return this;
    }

    private void line(Object json) {
        try {
            out.writeBytes(mapper.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
    }
}
