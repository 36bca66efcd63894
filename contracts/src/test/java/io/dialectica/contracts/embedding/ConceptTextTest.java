package io.dialectica.contracts.embedding;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ConceptTextTest {

    @Test
    void recipeLinesInOrderWithCategoriesSortedAndDistinct() {
        assertEquals("Virtue ethics\nEthics of character.\nCategories: Character, eudaimonia, Virtue",
                ConceptText.of("  Virtue ethics ", "Ethics of \n character.", List.of("Virtue", "eudaimonia", "Character", "virtue ")));
    }

    @Test
    void emptyPartsAreLeftOut() {
        assertEquals("Logic", ConceptText.of("Logic", null, List.of()));
        assertEquals("Logic\nCategories: Truth", ConceptText.of("Logic", " ", Arrays.asList(null, "Truth", "")));
    }

    @Test
    void theKeyFollowsTheTextAndNotTheOrderOfCategories() {
        String a = ConceptText.of("Mind", "Qualia", List.of("Consciousness", "Body"));
        String b = ConceptText.of("Mind", "Qualia", List.of("Body", "Consciousness"));
        assertEquals(ConceptText.key(a), ConceptText.key(b));
        assertNotEquals(ConceptText.key(a), ConceptText.key(ConceptText.of("Mind", "Qualia.", List.of("Body"))));
        assertEquals(64, ConceptText.key(a).length());
    }
}
