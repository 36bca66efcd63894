package io.dialectica.concept.history;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The mapper of the history's own JSON: change envelopes read from the topic, and the {@code changes} and {@code state}
 * columns. Not the application's mapper: that one is strict for request bodies (unknown fields are 400s), while a
 * consumer must ignore the fields it does not know (docs/events.md) and read what the migration's baseline wrote.
 */
public final class HistoryJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private HistoryJson() {
    }
}
