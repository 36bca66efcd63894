package io.dialectica.graph.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.graph.config.GraphConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The model ({@value ConceptText#MODEL}: the ONNX file and tokenizer inside langchain4j's jar, run in process by the
 * ONNX runtime), loaded on first use (~1 s; ~25 MB of heap while loading, the runtime's memory is native), so a
 * graph-service with embedding switched off never loads it.
 *
 * <p>Built here rather than with {@code new AllMiniLmL6V2QuantizedEmbeddingModel()} for the CPU: that one runs the
 * texts of a call on a pool of one thread per core and the ONNX session on every core; here the texts run on the
 * calling thread (the embedding worker) and the session on {@code dialectica.graph.embedding.threads} (1) — on a
 * 2-core machine the projection keeps a core whatever the embeddings do.
 */
@ApplicationScoped
public class ConceptEmbedder {

    private static final Logger LOG = Logger.getLogger(ConceptEmbedder.class);
    private static final String MODEL_FILE = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER_FILE = "all-minilm-l6-v2-q-tokenizer.json";

    private final int threads;
    private volatile Model model;

    @Inject
    public ConceptEmbedder(GraphConfig config) {
        this(config.embedding().threads());
    }

    /** Outside CDI: {@code ./dialectica bench embeddings} measures exactly this model (EmbeddingsBench.java). */
    public ConceptEmbedder(int threads) {
        this.threads = threads;
    }

    /** One vector per text, in order. */
    public List<float[]> embed(List<String> texts) {
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String text : texts) {
            segments.add(TextSegment.from(text));
        }
        List<Embedding> embeddings = model().embedAll(segments).content();
        List<float[]> vectors = new ArrayList<>(embeddings.size());
        for (Embedding e : embeddings) {
            vectors.add(e.vector());
        }
        return vectors;
    }

    private Model model() {
        Model m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    long start = System.nanoTime();
                    m = new Model(load(threads));
                    model = m;
                    LOG.infof("embedding model %s loaded in %d ms (%d ONNX thread(s))", ConceptText.MODEL,
                            (System.nanoTime() - start) / 1_000_000, threads);
                }
            }
        }
        return m;
    }

    private static OnnxBertBiEncoder load(int threads) {
        ClassLoader loader = ConceptEmbedder.class.getClassLoader();
        try (InputStream modelFile = loader.getResourceAsStream(MODEL_FILE);
                InputStream tokenizer = loader.getResourceAsStream(TOKENIZER_FILE)) {
            if (modelFile == null || tokenizer == null) {
                throw new IllegalStateException(MODEL_FILE + " or " + TOKENIZER_FILE + " is not on the class path");
            }
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            OrtSession session = environment.createSession(modelFile.readAllBytes(), options);
            return new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("the ONNX runtime refused the embedding model", e);
        }
    }

    /** langchain4j's in-process model over our session; the texts of a call run on the calling thread. */
    private static final class Model extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        Model(OnnxBertBiEncoder encoder) {
            super(Runnable::run);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return ConceptText.DIMENSIONS;
        }
    }
}
