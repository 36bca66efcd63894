package io.dialectica.contracts.embedding;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConceptEmbeddingTest {

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void roundTripsAsJsonWithTheVectorAsAnArrayOfNumbers() throws Exception {
        float[] vector = new float[ConceptText.DIMENSIONS];
        vector[0] = 0.6f;
        vector[383] = -0.8f;
        ConceptEmbedding event = ConceptEmbedding.of("c1", ConceptText.key("Logic"), vector,
                Instant.parse("2026-12-06T08:00:00Z"));
        String json = mapper.writeValueAsString(event);
        assertTrue(json.contains("\"vector\":[0.6,0.0,"), json.substring(0, 200));
        assertTrue(json.contains("\"model\":\"" + ConceptText.RECIPE + "\""));
        ConceptEmbedding back = mapper.readValue(json, ConceptEmbedding.class);
        assertArrayEquals(vector, back.vector());
        assertEquals(event.key(), back.key());
        assertEquals(event.embeddedAt(), back.embeddedAt());
        assertTrue(back.usable());
    }

    @Test
    void anotherRecipeOrLengthIsNotUsable() {
        assertFalse(new ConceptEmbedding(1, "c1", "k", "other-model/v1", new float[ConceptText.DIMENSIONS], null).usable());
        assertFalse(new ConceptEmbedding(1, "c1", "k", ConceptText.RECIPE, new float[3], null).usable());
        assertFalse(new ConceptEmbedding(1, null, "k", ConceptText.RECIPE, new float[ConceptText.DIMENSIONS], null).usable());
    }
}
