package io.dialectica.search.index;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.List;

/**
 * One concept's search document, also its projection state: it holds every membership (with the category's
 * name and description) and every relation, so a change group — which carries only the rows that changed —
 * can be applied to it (read-modify-write). {@link #appliedLsn} is also the document's external version.
 * A deleted concept stays as a tombstone ({@code deleted: true}, nothing else) that keeps the version.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ConceptDoc {

    public String id;
    public String name;
    /** The name again, as a search_as_you_type field for suggestions. */
    public String nameSuggest;
    public String description;
    public String tradition;
    public String owner;
    public String visibility;
    public Double qualityScore;
    /** The concept row's own version (its ETag in concept-service). */
    public Long conceptVersion;
    public String createdAt;
    public String updatedAt;
    public boolean deleted;
    /** Commit LSN of the last change group applied (or the reindex snapshot's LSN): the external version. */
    public long appliedLsn;
    public List<CategoryEntry> categories = new ArrayList<>();
    public List<RelationEntry> relations = new ArrayList<>();
    /**
     * The concept's vector from graph-service (dialectica.concept-embeddings): 384 float32, little-endian, base64
     * (a {@code binary} field with doc values, read by the semantic query's script). Kept through every rewrite of
     * the document; null until the first vector arrived.
     */
    public String embedding;
    /** ConceptText key of the text {@link #embedding} was computed from; differs from the document's text: stale. */
    public String embeddingKey;

    public static ConceptDoc tombstone(String id, long lsn) {
        ConceptDoc doc = new ConceptDoc();
        doc.id = id;
        doc.deleted = true;
        doc.appliedLsn = lsn;
        doc.categories = null;
        doc.relations = null;
        return doc;
    }

    public CategoryEntry category(String categoryId) {
        if (categories == null) {
            return null;
        }
        for (CategoryEntry entry : categories) {
            if (categoryId.equals(entry.id)) {
                return entry;
            }
        }
        return null;
    }

    /** A membership: the category's attributes (as of {@link #lsn}) and the per-concept weight. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class CategoryEntry {
        public String id;
        public String membershipId;
        public String name;
        public String description;
        public Double weight;
        /** The commit LSN the name and description come from; a category change applies only when newer. */
        public long lsn;
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class RelationEntry {
        public String id;
        public String from;
        public String to;
        public String type;
        public Double weight;
        public String rationale;
    }
}
