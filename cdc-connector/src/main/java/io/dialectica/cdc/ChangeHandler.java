package io.dialectica.cdc;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Debezium's batch handler: assembles complete units, publishes them, waits until Kafka acknowledged
 * every record, and only then marks Debezium's records processed (so offsets, and the replication slot's
 * confirmed position, never pass anything Kafka does not have). A failure throws: the engine stops and
 * is restarted from the last committed offset (at-least-once; consumers drop repeated groups by LSN).
 */
final class ChangeHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger LOG = Logger.getLogger(ChangeHandler.class);

    private final TransactionAssembler assembler;
    private final Envelopes envelopes;
    private final Publisher publisher;
    private final CdcMetrics metrics;
    private final long watermarkIntervalNanos;

    /** Records received and not yet marked processed, oldest first. */
    private final Deque<RecordChangeEvent<SourceRecord>> pending = new ArrayDeque<>();

    private final Object sendLock = new Object();
    private Unit lastSent;
    private long lastWatermarkLsn = -1;
    private long lastWatermarkNanos = System.nanoTime();

    ChangeHandler(TransactionAssembler assembler, Envelopes envelopes, Publisher publisher, CdcMetrics metrics,
            Duration watermarkInterval) {
        this.assembler = assembler;
        this.envelopes = envelopes;
        this.publisher = publisher;
        this.metrics = metrics;
        this.watermarkIntervalNanos = watermarkInterval.toNanos();
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        Instant receivedAt = Instant.now();
        List<Unit> completed = new ArrayList<>();
        int safe = -1; // number of pending records that may be marked once the completed units are acknowledged
        for (RecordChangeEvent<SourceRecord> record : records) {
            pending.addLast(record);
            completed.addAll(assembler.accept(record.record(), receivedAt));
            if (!assembler.isOpen()) {
                safe = pending.size();
            }
        }

        if (!completed.isEmpty()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            List<Integer> rowCounts = new ArrayList<>();
            synchronized (sendLock) {
                boolean heartbeat = false;
                for (Unit unit : completed) {
                    List<Envelopes.Outgoing> outgoing = envelopes.of(unit);
                    for (Envelopes.Outgoing out : outgoing) {
                        acks.add(publisher.send(out));
                    }
                    rowCounts.add(outgoing.isEmpty() ? 0 : outgoing.get(0).envelope().txEvents());
                    heartbeat |= unit.type() == Unit.Type.HEARTBEAT;
                    lastSent = unit;
                }
                if (heartbeat || System.nanoTime() - lastWatermarkNanos >= watermarkIntervalNanos) {
                    acks.addAll(sendWatermarkLocked());
                }
            }
            awaitAll(acks);
            Instant ackedAt = Instant.now();
            for (int i = 0; i < completed.size(); i++) {
                metrics.published(completed.get(i), rowCounts.get(i), receivedAt, ackedAt);
            }
        }

        for (int i = 0; i < safe; i++) {
            committer.markProcessed(pending.removeFirst());
        }
        committer.markBatchFinished();
    }

    /**
     * Called by the connector's timer: when a transaction was published since the last watermark and the
     * interval has passed, every partition learns that position (read-your-writes across concepts).
     */
    void watermarkIfDue() {
        List<Future<RecordMetadata>> acks;
        synchronized (sendLock) {
            if (lastSent == null || lastSent.commitLsn() <= lastWatermarkLsn
                    || System.nanoTime() - lastWatermarkNanos < watermarkIntervalNanos) {
                return;
            }
            acks = sendWatermarkLocked();
        }
        try {
            awaitAll(acks);
        } catch (RuntimeException e) {
            LOG.debug("watermark not sent", e); // the handler sees the same failure and restarts the engine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Future<RecordMetadata>> sendWatermarkLocked() {
        lastWatermarkNanos = System.nanoTime();
        lastWatermarkLsn = lastSent.commitLsn();
        return publisher.sendWatermarks(Publisher.watermark(lastSent.commitLsn(), lastSent.txId(), lastSent.commitTime()));
    }

    private void awaitAll(List<Future<RecordMetadata>> acks) throws InterruptedException {
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("Kafka did not acknowledge a change record", e.getCause());
            }
        }
        Exception failure = publisher.failure();
        if (failure != null) {
            throw new IllegalStateException("the producer failed", failure);
        }
    }
}
