package io.dialectica.worker.prompt;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputValidatorTest {

    private final OutputValidator v = new OutputValidator(new ObjectMapper());

    @Test
    void thesesInFencesAreAcceptedAndCategoryNamesCanonicalised() {
        var r = v.theses("```json\n{\"theses\":[{\"text\":\"T\",\"rationale\":\"R\",\"categories\":[\"being\",\"Nothing\"]}]}\n```",
                1, Set.of("Being", "Nothing"));
        assertTrue(r.valid(), () -> r.errors().toString());
        assertEquals(List.of("Being", "Nothing"), r.theses().getFirst().categories());
        assertEquals(1, r.theses().getFirst().order());
    }

    @Test
    void thesesErrorsNameTheirPath() {
        var r = v.theses("{\"theses\":[{\"text\":\"\",\"categories\":[], \"extra\":1}], \"note\":\"x\"}", 2, Set.of("Being"));
        assertFalse(r.valid());
        assertTrue(r.errors().containsAll(List.of("$.note: unknown field (allowed: theses)",
                "$.theses: must have exactly 2 elements, has 1",
                "$.theses[0].extra: unknown field (allowed: categories, rationale, text)",
                "$.theses[0].text: required, a non-empty string",
                "$.theses[0].rationale: required, a non-empty string",
                "$.theses[0].categories: required, a non-empty array of category names from the context")), r.errors().toString());
        assertFalse(v.theses("no json here", 1, Set.of()).valid());
        assertFalse(v.theses("[1,2]", 1, Set.of()).valid());
    }

    @Test
    void synthesisIsCheckedStrictly() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        String good = "{\"name\":\"Becoming\",\"description\":\"D\",\"tradition\":\"Hegel\",\"categories\":["
                + "{\"name\":\"Being\",\"description\":\"d\",\"weight\":0.9},{\"name\":\"Nothing\",\"description\":\"d\",\"weight\":0}],"
                + "\"relations\":[{\"from\":\"Being\",\"to\":\"Nothing\",\"type\":\"NEGATES\",\"weight\":1,\"rationale\":\"r\"}]}";
        var ok = v.synthesis(good, List.of(a, b), "dialectical");
        assertTrue(ok.valid(), () -> ok.errors().toString());
        assertEquals(List.of(a, b), ok.concept().sourceConceptIds());

        String bad = "{\"name\":\"X\",\"description\":\"D\",\"tradition\":\"T\",\"categories\":["
                + "{\"name\":\"Being\",\"description\":\"d\",\"weight\":1.5},{\"name\":\"being\",\"description\":\"d\",\"weight\":0.1}],"
                + "\"relations\":[{\"from\":\"Being\",\"to\":\"Ghost\",\"type\":\"CAUSES\",\"weight\":0.5,\"rationale\":\"r\"}]}";
        var r = v.synthesis(bad, List.of(a, b), "dialectical");
        assertFalse(r.valid());
        assertTrue(r.errors().contains("$.categories[0].weight: must be between 0 and 1, is 1.5"), r.errors().toString());
        assertTrue(r.errors().contains("$.categories[1].name: \"being\" appears twice"), r.errors().toString());
        assertTrue(r.errors().contains("$.relations[0].to: \"Ghost\" is not a category of the proposal"), r.errors().toString());
        assertTrue(r.errors().stream().anyMatch(e -> e.startsWith("$.relations[0].type: \"CAUSES\" is not one of")));
    }
}
