package io.dialectica.contracts.embedding;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Objects;

/**
 * A concept's vector, on {@code dialectica.concept-embeddings} (key = concept id; docs/events.md, "Embeddings").
 * graph-service publishes it after it stored the vector in Neo4j; search-service puts it into the concept's
 * search document, so a concept is embedded once, by one service, and both serve the same vectors.
 *
 * @param v          schema version ({@value #SCHEMA_VERSION})
 * @param conceptId  the concept (also the record key)
 * @param key        {@link ConceptText#key} of the text the vector was computed from: a consumer compares it with
 *                   the key of the concept's text as it knows it, so a vector of an older text is recognised
 * @param model      {@link ConceptText#RECIPE} (model and recipe) the vector belongs to
 * @param vector     {@link ConceptText#DIMENSIONS} floats, L2-normalised (cosine = dot product)
 * @param embeddedAt when the vector was stored
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConceptEmbedding(int v, String conceptId, String key, String model, float[] vector, Instant embeddedAt) {

    public static final int SCHEMA_VERSION = 1;

    public static ConceptEmbedding of(String conceptId, String key, float[] vector, Instant embeddedAt) {
        return new ConceptEmbedding(SCHEMA_VERSION, conceptId, key, ConceptText.RECIPE, vector, embeddedAt);
    }

    /** Whether a consumer can use it: this recipe and model, the right length, every part present. */
    public boolean usable() {
        return conceptId != null && key != null && Objects.equals(model, ConceptText.RECIPE) && vector != null
                && vector.length == ConceptText.DIMENSIONS;
    }
}
