package io.dialectica.search.embedding;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.dialectica.contracts.embedding.ConceptText;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Embeds search queries with the model graph-service embeds the concepts with ({@value ConceptText#MODEL}: the
 * ONNX file in langchain4j's jar, one version for both in the parent pom; mean pooling, L2-normalised), so a query
 * vector and the documents' vectors are comparable. Loaded on the first semantic or hybrid query (~1 s), never for
 * text search. One query is one short text: it runs on the calling (worker) thread, ~15 ms.
 */
@ApplicationScoped
public class QueryEmbedder {

    private static final Logger LOG = Logger.getLogger(QueryEmbedder.class);

    private final Timer timer;
    private volatile AllMiniLmL6V2QuantizedEmbeddingModel model;

    public QueryEmbedder(MeterRegistry registry) {
        timer = Timer.builder("dialectica.search.query.embedding")
                .description("Embedding one search query (semantic and hybrid modes)").register(registry);
    }

    public float[] embed(String text) {
        long started = System.nanoTime();
        float[] vector = model().embed(text).content().vector();
        timer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (vector.length != ConceptText.DIMENSIONS) {
            throw new IllegalStateException("the model gave " + vector.length + " dimensions, not "
                    + ConceptText.DIMENSIONS);
        }
        return vector;
    }

    private AllMiniLmL6V2QuantizedEmbeddingModel model() {
        AllMiniLmL6V2QuantizedEmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    long started = System.nanoTime();
                    // the texts of a call on the calling thread (a query is one text)
                    m = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
                    model = m;
                    LOG.infof("query embedding model %s loaded in %d ms", ConceptText.MODEL,
                            (System.nanoTime() - started) / 1_000_000);
                }
            }
        }
        return m;
    }
}
