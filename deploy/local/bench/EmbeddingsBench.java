import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.graph.embedding.ConceptEmbedder;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * ./dialectica bench embeddings, part 1: texts per second through graph-service's own ConceptEmbedder (the
 * quantized all-MiniLM-L6-v2 on the ONNX runtime, built as graph-service builds it), for concept texts of the
 * recipe's shape (name, a 25–60 word description, 3–6 category names), in batches of 32 as the worker embeds them,
 * with 1 ONNX thread (graph-service's default) and with as many as the machine has cores.
 * Prints one line per setting: "embed threads=<n> texts=<n> texts_per_s=<r> ms_per_text=<r>".
 * Settings (environment): BENCH_EMBED_TEXTS (512), BENCH_EMBED_BATCH (32).
 */
public class EmbeddingsBench {

    private static final String[] WORDS = ("being nothing becoming essence appearance actuality substance subject "
            + "virtue character habit reason nature freedom necessity law duty consequence pleasure pain mind body "
            + "consciousness perception experience world language meaning truth proof inference validity form matter "
            + "cause effect whole part unity difference identity contradiction negation sublation concept judgement "
            + "syllogism spirit history society labour recognition desire self other knowledge belief justification")
            .split(" ");

    public static void main(String[] args) {
        int count = Integer.parseInt(System.getenv().getOrDefault("BENCH_EMBED_TEXTS", "512"));
        int batch = Integer.parseInt(System.getenv().getOrDefault("BENCH_EMBED_BATCH", "32"));
        Random random = new Random(42);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> categories = new ArrayList<>();
            for (int k = 0, n = 3 + random.nextInt(4); k < n; k++) {
                categories.add(capitalised(WORDS[random.nextInt(WORDS.length)]));
            }
            texts.add(ConceptText.of("Concept " + i + " of " + WORDS[random.nextInt(WORDS.length)],
                    sentence(random, 25 + random.nextInt(36)), categories));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            ConceptEmbedder embedder = new ConceptEmbedder(threads);
            embedder.embed(texts.subList(0, Math.min(batch, texts.size())));   // loads the model, warms up
            long start = System.nanoTime();
            int dimensions = 0;
            for (int i = 0; i < texts.size(); i += batch) {
                dimensions = embedder.embed(texts.subList(i, Math.min(texts.size(), i + batch))).get(0).length;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (dimensions != ConceptText.DIMENSIONS) {
                throw new IllegalStateException("vectors of " + dimensions + " dimensions");
            }
            System.out.println(String.format(Locale.ROOT, "embed threads=%d texts=%d texts_per_s=%.1f ms_per_text=%.1f",
                    threads, texts.size(), texts.size() / seconds, seconds * 1000 / texts.size()));
        }
    }

    private static String sentence(Random random, int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append(i == 0 ? capitalised(WORDS[random.nextInt(WORDS.length)]) : WORDS[random.nextInt(WORDS.length)]);
            b.append(i == words - 1 ? "." : random.nextInt(9) == 0 ? ", " : " ");
        }
        return b.toString();
    }

    private static String capitalised(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
