package io.dialectica.search.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BulkBodyTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void indexActionsCarryTheirSourceOnTheNextLineAndDeletesStandAlone() throws Exception {
        BulkBody body = new BulkBody(mapper, 16)
                .index("concepts-1", "c1", 42, "external", Map.of("title", "Being\nand Time"))
                .index("vectors", "c1", Map.of("model", "m"))
                .deleteIfUnchanged("concepts-1", "c2", 7, 1)
                .delete("vectors", "c2");

        String text = new String(body.bytes(), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), "NDJSON: every line ends with a newline, the last one too");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            lines.add(mapper.readTree(line)); // a newline inside a value is escaped, never a line break
        }
        assertEquals(6, lines.size());
        assertEquals(4, body.actions());

        JsonNode versioned = lines.get(0).path("index");
        assertEquals("concepts-1", versioned.path("_index").asText());
        assertEquals("c1", versioned.path("_id").asText());
        assertEquals(42, versioned.path("version").asLong());
        assertEquals("external", versioned.path("version_type").asText());
        assertEquals("Being\nand Time", lines.get(1).path("title").asText());

        assertTrue(lines.get(2).path("index").path("version").isMissingNode(), "OpenSearch's own versioning");
        assertEquals("m", lines.get(3).path("model").asText());

        JsonNode conditional = lines.get(4).path("delete");
        assertEquals("c2", conditional.path("_id").asText());
        assertEquals(7, conditional.path("if_seq_no").asLong());
        assertEquals(1, conditional.path("if_primary_term").asLong());
        assertEquals("vectors", lines.get(5).path("delete").path("_index").asText());
    }

    @Test
    void anEmptyBodyHasNoActions() {
        BulkBody body = new BulkBody(mapper, 16);
        assertTrue(body.isEmpty());
        assertEquals(0, body.bytes().length);
    }
}
