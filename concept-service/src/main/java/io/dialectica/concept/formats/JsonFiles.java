package io.dialectica.concept.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;

/** Reading the JSON formats' files (JSON Canvas, AIF): the nesting limit, and a 422 that says where. */
final class JsonFiles {

    private JsonFiles() {
    }

    /** The file as a tree, nested at most {@code limits.maxDepth()} deep; a file that is not JSON says line and column. */
    static JsonNode parse(byte[] body, ImportLimits limits) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxDepth()).build())
                .build();
        try {
            JsonNode root = JsonMapper.builder(factory).build().readTree(body);
            if (root == null || root.isMissingNode()) {
                throw FileProblems.invalid("body", "the file is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String what = "not JSON: " + e.getOriginalMessage();
            throw at == null ? FileProblems.invalid("body", what) : FileProblems.at(at.getLineNr(), at.getColumnNr(), what);
        } catch (IOException e) {
            throw FileProblems.invalid("body", "unreadable: " + e.getMessage());
        }
    }

    /** A top-level array field: absent or null is empty, anything else than an array is refused. */
    static JsonNode array(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return JsonNodeFactory.instance.arrayNode();
        }
        if (!value.isArray()) {
            throw FileProblems.invalid(field, "must be an array");
        }
        return value;
    }
}
