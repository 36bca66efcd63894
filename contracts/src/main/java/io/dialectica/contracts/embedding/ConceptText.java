package io.dialectica.contracts.embedding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The text a concept is embedded from, and the key that says which text and recipe a stored vector belongs to
 * (docs/events.md, "Embeddings"). Every service that embeds concepts or compares with their vectors uses this
 * one recipe, so vectors of graph-service and search-service are comparable.
 *
 * <p><b>Recipe {@value #RECIPE}</b>: three lines, an empty part (and its line) left out:
 * <pre>
 * &lt;name, trimmed&gt;
 * &lt;description, trimmed, inner whitespace collapsed&gt;
 * Categories: &lt;category names, trimmed, distinct ignoring case, sorted ignoring case, joined by ", "&gt;
 * </pre>
 * The tradition, the weights, positions and relations are not part of it: an edit of a weight leaves the text and
 * so the vector unchanged. The model is {@value #MODEL} (384 dimensions, its input cut at 256 word pieces).
 *
 * <p>{@link #key(String)} is a SHA-256 over the recipe name and the text: a changed text, a new recipe or a new model
 * (both are in {@link #RECIPE}) gives another key, and a stored vector whose key differs is embedded again.
 */
public final class ConceptText {

    /** The embedding model: langchain4j's in-process quantized all-MiniLM-L6-v2 (ONNX). */
    public static final String MODEL = "all-minilm-l6-v2-q";

    /** Model and recipe version; change the version with any change of {@link #of} or of the model. */
    public static final String RECIPE = MODEL + "/concept-text-v1";

    /** Dimensions of the model's vectors. */
    public static final int DIMENSIONS = 384;

    private ConceptText() {
    }

    /** The text to embed for a concept (null parts are empty). */
    public static String of(String name, String description, Collection<String> categoryNames) {
        StringBuilder text = new StringBuilder();
        line(text, name == null ? "" : name.strip());
        line(text, description == null ? "" : description.strip().replaceAll("\\s+", " "));
        TreeMap<String, String> names = new TreeMap<>();
        if (categoryNames != null) {
            for (String n : categoryNames) {
                if (n != null && !n.isBlank()) {
                    names.putIfAbsent(n.strip().toLowerCase(Locale.ROOT), n.strip());
                }
            }
        }
        if (!names.isEmpty()) {
            line(text, "Categories: " + String.join(", ", names.values()));
        }
        return text.toString();
    }

    /** Identifies text and recipe: hex SHA-256 of {@code RECIPE + "\n" + text}. */
    public static String key(String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((RECIPE + "\n" + Objects.requireNonNull(text)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void line(StringBuilder text, String part) {
        if (part.isEmpty()) {
            return;
        }
        if (!text.isEmpty()) {
            text.append('\n');
        }
        text.append(part);
    }
}
