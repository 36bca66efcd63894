package io.dialectica.graph.projection;

import java.util.HashMap;
import java.util.Map;

/**
 * What one Neo4j transaction says about a topic-partition, stored in its {@code (:ProjectionProgress)} node in that
 * same transaction: every change group of the partition with a commit LSN at or below {@code lsn} is applied (or was
 * skipped as a repeat or a poison group), and the records before {@code offset} are done with. Both only ever grow
 * in the store (the higher value wins), whichever replica writes.
 *
 * @param partitions how many partitions the topic has, as the writer saw it: a reader needs a node for each of them
 *                   before it can compute the low watermark
 * @param offset     the next offset to read (a group boundary), or -1 when this transaction does not move it
 */
public record PartitionPosition(String topic, int partition, long lsn, long offset, int partitions) {

    /** The node's key: {@code <topic>#<partition>}. */
    public String id() {
        return id(topic, partition);
    }

    public static String id(String topic, int partition) {
        return topic + "#" + partition;
    }

    /** Both positions of the same partition: the higher of each. */
    PartitionPosition merge(PartitionPosition other) {
        return new PartitionPosition(topic, partition, Math.max(lsn, other.lsn), Math.max(offset, other.offset),
                Math.max(partitions, other.partitions));
    }

    Map<String, Object> params() {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id());
        row.put("topic", topic);
        row.put("partition", partition);
        row.put("position", lsn);
        row.put("offset", offset);
        row.put("partitions", partitions);
        return row;
    }
}
