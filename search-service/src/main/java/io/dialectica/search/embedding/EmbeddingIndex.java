package io.dialectica.search.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.embedding.ConceptEmbedding;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.BulkBody;
import io.dialectica.search.index.ConceptDoc;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.index.OpenSearchException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The side index of vectors ({@code dialectica-embeddings}, one document per concept id: the latest vector
 * graph-service published) and the rule that moves a vector into a concept document: <b>a document takes the side
 * index's vector when its key is the document's current text key</b> ({@link Vectors#textKey}). Until then the
 * document keeps the vector it has (of an earlier text: stale, still the best there is) or none.
 *
 * <p>Why a side index rather than writing into the concept documents only: the vector of a new text can arrive
 * before search-service's own projection applied that text (graph-service's projection is ahead), and two writers
 * — the vector consumer and the projector — rewrite the same document. Stored here first, a vector is found by
 * whichever of them writes the document last (the projector looks here before and after each bulk).
 */
@ApplicationScoped
public class EmbeddingIndex {

    /** A stored vector: the text key it belongs to, base64 as the concept documents keep it. */
    public record Stored(String key, String vector) {
    }

    private final OpenSearch os;
    private final ObjectMapper mapper;
    private final SearchConfig config;

    public EmbeddingIndex(OpenSearch os, ObjectMapper mapper, SearchConfig config) {
        this.os = os;
        this.mapper = mapper;
        this.config = config;
    }

    /** Stores the vectors (in order: the last of a concept wins), acknowledged before this returns. */
    public void store(List<ConceptEmbedding> embeddings) {
        if (embeddings.isEmpty()) {
            return;
        }
        BulkBody body = new BulkBody(mapper, embeddings.size() * 2300);
        for (ConceptEmbedding e : embeddings) {
            ObjectNode source = mapper.createObjectNode();
            source.put("conceptId", e.conceptId()).put("key", e.key()).put("model", e.model())
                    .put("vector", Vectors.encode(e.vector()));
            if (e.embeddedAt() != null) {
                source.put("embeddedAt", e.embeddedAt().toString());
            }
            body.index(config.index().embeddings(), e.conceptId(), source);
        }
        OpenSearch.Reply reply = os.ndjson("/_bulk", body.bytes()).orThrow("bulk vectors");
        if (reply.body().path("errors").asBoolean(false)) {
            for (JsonNode item : reply.body().path("items")) {
                JsonNode result = item.path("index");
                if (result.path("status").asInt() >= 300) {
                    throw new OpenSearchException("storing the vector of " + result.path("_id").asText() + " failed: "
                            + result.path("error"), result.path("status").asInt());
                }
            }
        }
    }

    /** The stored vectors of these concepts (realtime); concepts without one are absent. */
    public Map<String, Stored> load(Collection<String> conceptIds) {
        Map<String, Stored> result = new HashMap<>();
        if (conceptIds.isEmpty()) {
            return result;
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode ids = body.putArray("ids");
        conceptIds.forEach(ids::add);
        OpenSearch.Reply reply = os.call("POST", "/" + config.index().embeddings() + "/_mget?realtime=true", body)
                .orThrow("mget vectors");
        for (JsonNode doc : reply.body().path("docs")) {
            if (doc.path("found").asBoolean(false)) {
                JsonNode source = doc.path("_source");
                result.put(doc.path("_id").asText(), new Stored(source.path("key").asText(null),
                        source.path("vector").asText(null)));
            } else if (doc.has("error")) {
                throw new OpenSearchException("mget vectors: " + doc.path("error"), 500);
            }
        }
        return result;
    }

    /**
     * Gives each document lacking a vector of its current text the stored one, if that is of its current text.
     * Returns the ids of the documents changed (one realtime mget, only when some document lacks one).
     */
    public Set<String> attach(Collection<ConceptDoc> docs) {
        Map<String, ConceptDoc> lacking = new HashMap<>();
        for (ConceptDoc doc : docs) {
            if (doc != null && Vectors.textKey(doc) != null && !Vectors.current(doc)) {
                lacking.put(doc.id, doc);
            }
        }
        Set<String> changed = new LinkedHashSet<>();
        if (lacking.isEmpty()) {
            return changed;
        }
        load(lacking.keySet()).forEach((id, stored) -> {
            if (apply(lacking.get(id), stored)) {
                changed.add(id);
            }
        });
        return changed;
    }

    /** The documents (of those given) that still lack a vector of their current text. */
    public static Set<String> lacking(Collection<ConceptDoc> docs) {
        Set<String> ids = new LinkedHashSet<>();
        for (ConceptDoc doc : docs) {
            if (doc != null && Vectors.textKey(doc) != null && !Vectors.current(doc)) {
                ids.add(doc.id);
            }
        }
        return ids;
    }

    /** Sets the stored vector on the document if it is of the document's current text and not there yet. */
    public static boolean apply(ConceptDoc doc, Stored stored) {
        if (doc == null || stored == null || stored.key() == null || stored.vector() == null) {
            return false;
        }
        String key = Vectors.textKey(doc);
        if (key == null || !key.equals(stored.key()) || (key.equals(doc.embeddingKey) && doc.embedding != null)) {
            return false;
        }
        doc.embedding = stored.vector();
        doc.embeddingKey = stored.key();
        return true;
    }
}
