package io.dialectica.concept.service;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalNamesTest {

    @Test
    void caseSpacingAndCompatibilityFormsDoNotMakeANewCategory() {
        assertEquals("being", CanonicalNames.canonical("Being"));
        assertEquals("being for itself", CanonicalNames.canonical("  Being \t for\u00A0 itSelf "));
        assertEquals("substance", CanonicalNames.canonical("Ｓｕｂｓｔａｎｃｅ"));
        assertEquals("finite", CanonicalNames.canonical("\uFB01nite"));
    }

    @Test
    void displayNamesKeepTheirCaseButNotStraySpaces() {
        assertEquals("Being for itself", CanonicalNames.display("  Being   for itself "));
    }

    @Test
    void etagsMatchStrongWeakListedAndWildcard() {
        assertTrue(ETags.matches("\"3\"", 3));
        assertTrue(ETags.matches("W/\"3\"", 3));
        assertTrue(ETags.matches("\"1\", \"3\"", 3));
        assertTrue(ETags.matches("*", 3));
        assertFalse(ETags.matches("\"2\"", 3));
        assertFalse(ETags.matches("3", 3));
    }
}
