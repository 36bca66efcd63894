package io.dialectica.contracts.projection;

import io.dialectica.contracts.ChangeEnvelope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reassembles change groups from the envelopes of one topic's partitions, read in partition order
 * (the consumer algorithm of docs/events.md). Not thread-safe: one instance per consuming thread.
 *
 * <p>A run that is interrupted (a different key or commit LSN, or {@code txIndex} 0 again) is dropped:
 * after a connector crash the whole transaction is published again from {@code txIndex} 0, so the
 * interrupted run is never the only copy. Watermarks never belong to a run; the caller advances its
 * partition position with them.
 */
public final class ChangeGroupAssembler {

    private final String topic;
    private final Map<Integer, List<ChangeEnvelope>> runs = new HashMap<>();
    private long droppedRuns;

    public ChangeGroupAssembler(String topic) {
        this.topic = topic;
    }

    /**
     * Accepts the next change envelope of a partition.
     *
     * @return the group this envelope completes, if it completes one
     * @throws IllegalArgumentException for a watermark (handle those before calling)
     */
    public Optional<ChangeGroup> accept(int partition, ChangeEnvelope envelope) {
        if (envelope.isWatermark()) {
            throw new IllegalArgumentException("watermarks are not part of a change group");
        }
        List<ChangeEnvelope> run = runs.computeIfAbsent(partition, p -> new ArrayList<>());
        if (!run.isEmpty() && interrupts(run.get(run.size() - 1), envelope)) {
            run.clear();
            droppedRuns++;
        }
        if (run.isEmpty() && envelope.txIndex() != 0) {
            // the tail of a group whose head was dropped or read before a rebalance: its re-delivery
            // (or the whole group, when the offsets were committed at its start) comes again
            droppedRuns++;
            return Optional.empty();
        }
        run.add(envelope);
        if (!envelope.closesGroup()) {
            return Optional.empty();
        }
        ChangeEnvelope first = run.get(0);
        ChangeGroup group = new ChangeGroup(topic, partition, envelope.key(), envelope.commitLsn(), envelope.txId(),
                envelope.commitTime(), first.snapshot(), run);
        run.clear();
        return Optional.of(group);
    }

    /** True while a partition holds part of a group: its offset must not be committed past the run's start. */
    public boolean hasOpenRun(int partition) {
        List<ChangeEnvelope> run = runs.get(partition);
        return run != null && !run.isEmpty();
    }

    /** Forgets a partition's open run (the partition was revoked; its next owner reads it again). */
    public void forget(int partition) {
        runs.remove(partition);
    }

    /** Runs dropped because a re-delivery interrupted them (a metric, not an error). */
    public long droppedRuns() {
        return droppedRuns;
    }

    private static boolean interrupts(ChangeEnvelope last, ChangeEnvelope next) {
        return next.commitLsn() != last.commitLsn() || !next.key().equals(last.key()) || next.txIndex() == 0
                || next.txIndex() != last.txIndex() + 1;
    }
}
