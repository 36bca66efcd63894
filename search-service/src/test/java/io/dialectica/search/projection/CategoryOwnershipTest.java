package io.dialectica.search.projection;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CategoryOwnershipTest {

    private static final String CATEGORIES = "dialectica.category-changes";
    private static final String CONCEPTS = "dialectica.concept-changes";

    @Test
    void aReplicaWithEveryCategoryPartitionIsTheOnlyOneFanningOut() {
        var assigned = List.of(new TopicPartition(CATEGORIES, 0), new TopicPartition(CATEGORIES, 1),
                new TopicPartition(CONCEPTS, 1));
        assertFalse(CategoryOwnership.othersMayFanOut(assigned, CATEGORIES, 2),
                "every category partition here: no other replica fans categories out, whatever concepts it has");
    }

    @Test
    void anyCategoryPartitionElsewhereMeansOthersMay() {
        var assigned = List.of(new TopicPartition(CATEGORIES, 0), new TopicPartition(CONCEPTS, 0),
                new TopicPartition(CONCEPTS, 1));
        assertTrue(CategoryOwnership.othersMayFanOut(assigned, CATEGORIES, 2));
        assertTrue(CategoryOwnership.othersMayFanOut(List.of(new TopicPartition(CONCEPTS, 0)), CATEGORIES, 2));
    }

    @Test
    void anUnknownPartitionCountMeansOthersMay() {
        var assigned = List.of(new TopicPartition(CATEGORIES, 0));
        assertTrue(CategoryOwnership.othersMayFanOut(assigned, CATEGORIES, null));
        assertTrue(CategoryOwnership.othersMayFanOut(assigned, CATEGORIES, 0));
    }
}
