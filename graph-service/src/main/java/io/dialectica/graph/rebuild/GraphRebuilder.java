package io.dialectica.graph.rebuild;

import io.dialectica.contracts.Lsn;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.embedding.EmbeddingWorker;
import io.dialectica.service.problem.ApiProblem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rebuilds the graph projection from PostgreSQL's state at a recorded LSN S while the stream keeps applying
 * (README: "Rebuilding"). In place, not into a fresh database: the local and community Neo4j have one user
 * database, and a label namespace would template every label of every query.
 *
 * <ol>
 *   <li>{@link SourceSnapshot}: S, then one READ ONLY snapshot holding every transaction committed at or before S.</li>
 *   <li>Categories, then concepts in batches, one Neo4j transaction each ({@link RebuildWriter}): a concept
 *       whose applied LSN (node or tombstone) is below S gets the snapshot's node, memberships and relations,
 *       {@code appliedLsn} S and this rebuild's id; one at or above S was written by the stream after S and stays.
 *       Stream groups at or below S arriving later are repeats.</li>
 *   <li>The sweep: concepts below S this rebuild did not write (not in the snapshot: deleted before S, or
 *       strays) are deleted with a tombstone at S; relations without their concept; categories below S, not in
 *       the snapshot and used by nothing.</li>
 * </ol>
 * Reads are served throughout: every transaction replaces its concepts atomically.
 */
@ApplicationScoped
public class GraphRebuilder {

    private static final Logger LOG = Logger.getLogger(GraphRebuilder.class);
    private static final int SWEEP_STEP = 1000;

    @RegisterForReflection
    public record Result(String rebuild, String snapshotLsn, long categoriesWritten, long conceptsWritten,
            long conceptsSkipped, long conceptsSwept, long relationsSwept, long categoriesSwept,
            long relationsUnknownType, long lockWaitMs, long lockHeldMs, long tookMs) {
    }

    private final SourceSnapshot source;
    private final RebuildWriter writer;
    private final GraphConfig config;
    private final EmbeddingWorker embeddings;
    private final AtomicBoolean running = new AtomicBoolean();

    public GraphRebuilder(SourceSnapshot source, RebuildWriter writer, GraphConfig config, EmbeddingWorker embeddings) {
        this.source = source;
        this.writer = writer;
        this.config = config;
        this.embeddings = embeddings;
    }

    public Result rebuild() {
        if (!running.compareAndSet(false, true)) {
            throw ApiProblem.conflict(null, "a rebuild of the graph is already running");
        }
        try {
            return run();
        } finally {
            running.set(false);
        }
    }

    private Result run() {
        long started = System.nanoTime();
        long waitedBefore = writer.lockWaitMs();
        long heldBefore = writer.lockHeldMs();
        String id = UUID.randomUUID().toString();
        Load load = new Load(id);
        long lsn = source.read(config.rebuild().batchSize(), load);
        LOG.infof("rebuild %s: %d concepts written, %d skipped (newer in the graph), %d categories written; sweeping",
                id, load.conceptsWritten, load.conceptsSkipped, load.categoriesWritten);
        // a step that found candidates but deleted none (the stream wrote them meanwhile) does not find them again
        LongAdder conceptsSwept = new LongAdder();
        while (writer.sweepConcepts(lsn, id, SWEEP_STEP, conceptsSwept) > 0) {
            // next step
        }
        LongAdder relationsSwept = new LongAdder();
        while (writer.sweepRelations(SWEEP_STEP, relationsSwept) > 0) {
            // next step
        }
        LongAdder categoriesSwept = new LongAdder();
        while (writer.sweepCategories(lsn, id, SWEEP_STEP, categoriesSwept) > 0) {
            // next step
        }
        // the vectors of concepts whose text the rebuild changed: each batch was handed over, and a sweep of this
        // replica's concepts catches what did not fit into the worker's queue (and renamed categories' concepts)
        embeddings.sweep();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long waited = writer.lockWaitMs() - waitedBefore;
        long held = writer.lockHeldMs() - heldBefore;
        LOG.infof("rebuild %s done at %s in %d ms (%d ms waiting for the progress locks, %d ms holding them): swept %d "
                + "concepts, %d relations, %d categories", id, Lsn.format(lsn), took, waited, held,
                conceptsSwept.sum(), relationsSwept.sum(), categoriesSwept.sum());
        return new Result(id, Lsn.format(lsn), load.categoriesWritten, load.conceptsWritten, load.conceptsSkipped,
                conceptsSwept.sum(), relationsSwept.sum(), categoriesSwept.sum(), load.unknownTypes, waited, held, took);
    }

    /** Writes each batch of the snapshot as it is read. */
    private final class Load implements SourceSnapshot.Sink {
        private final String id;
        private long lsn;
        long categoriesWritten;
        long conceptsWritten;
        long conceptsSkipped;
        long unknownTypes;

        Load(String id) {
            this.id = id;
        }

        @Override
        public void lsn(long s) {
            lsn = s;
            LOG.infof("rebuild %s: snapshot at %s, writing the graph in batches of %d concepts", id, Lsn.format(s),
                    config.rebuild().batchSize());
        }

        @Override
        public void categories(List<SourceSnapshot.Category> batch) {
            categoriesWritten += writer.writeCategories(batch, lsn, id);
        }

        @Override
        public void concepts(List<SourceSnapshot.Concept> batch) {
            RebuildWriter.Batch done = writer.writeConcepts(batch, lsn, id);
            // a skipped concept is handed over too: the worker leaves a concept whose vector matches its text alone
            embeddings.changed(batch.stream().map(SourceSnapshot.Concept::id).toList(), List.of());
            conceptsWritten += done.written();
            conceptsSkipped += done.skipped();
            unknownTypes += done.unknownTypes();
        }
    }
}
