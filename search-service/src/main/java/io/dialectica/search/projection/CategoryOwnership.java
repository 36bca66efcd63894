package io.dialectica.search.projection;

import org.apache.kafka.common.TopicPartition;

import java.util.Collection;

/**
 * Whether another replica may fan category changes out into the concept documents this one writes — the case the
 * re-check after each bulk exists for (README, "several replicas"). A replica assigned every partition of the
 * category topic applies every category change itself, on the same thread as its concept writes, so they cannot
 * interleave and the re-check (one realtime {@code _mget} per poll) is skipped. A zombie that lost those partitions
 * mid-poll does not change that: its uncommitted category groups are delivered again here and fanned out again.
 */
final class CategoryOwnership {

    private CategoryOwnership() {
    }

    /**
     * @param assigned the partitions this replica is assigned (both topics)
     * @param categoryTopic the category topic
     * @param categoryPartitions its partition count; null or 0 while unknown (then: others may)
     */
    static boolean othersMayFanOut(Collection<TopicPartition> assigned, String categoryTopic, Integer categoryPartitions) {
        if (categoryPartitions == null || categoryPartitions <= 0) {
            return true;
        }
        long mine = assigned.stream().filter(tp -> tp.topic().equals(categoryTopic)).count();
        return mine < categoryPartitions;
    }
}
