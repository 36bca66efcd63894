package io.dialectica.search.embedding;

import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.search.index.ConceptDoc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Vectors as the concept documents keep them: {@value ConceptText#DIMENSIONS} float32 little-endian, base64 (what
 * OpenSearch's {@code binary} field takes, and what the semantic query's Painless script decodes); the dot product
 * of two normalised vectors (= cosine); the text key of a document (ConceptText's recipe, as graph-service).
 */
public final class Vectors {

    private Vectors() {
    }

    public static String encode(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : vector) {
            buffer.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    /** The vector, or null when the text is not one of the right length. */
    public static float[] decode(String base64) {
        if (base64 == null) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != ConceptText.DIMENSIONS * Float.BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[ConceptText.DIMENSIONS];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = buffer.getFloat();
        }
        return vector;
    }

    /** Cosine similarity of two L2-normalised vectors. */
    public static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    /** The key of the document's current text (null for tombstones and half-built documents). */
    public static String textKey(ConceptDoc doc) {
        if (doc == null || doc.deleted || doc.name == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        if (doc.categories != null) {
            doc.categories.forEach(c -> names.add(c.name));
        }
        return ConceptText.key(ConceptText.of(doc.name, doc.description, names));
    }

    /** Whether the document holds a vector of its current text. */
    public static boolean current(ConceptDoc doc) {
        String key = textKey(doc);
        return key != null && key.equals(doc.embeddingKey) && doc.embedding != null;
    }
}
