package io.dialectica.service.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.dialectica.service.problem.InvalidTextException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The strict reader: a number field takes a JSON number or null, text has no lone surrogate or NUL. */
class StrictJsonTest {

    record Input(String name, Double weight, Float ratio, Integer count, List<String> tags) {
    }

    private static final ObjectMapper STRICT = strict();

    private static ObjectMapper strict() {
        ObjectMapper mapper = new ObjectMapper();
        new StrictJsonCustomizer().customize(mapper);
        return mapper;
    }

    @ParameterizedTest(name = "weight {0}")
    @ValueSource(strings = {"\" \"", "\"\\u0000\"", "\"\"", "\"\\t\"", "\"0.5\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
            "true", "false", "[0.5]", "{}"})
    void aFloatingPointFieldTakesNothingButANumber(String value) {
        MismatchedInputException e = assertThrows(MismatchedInputException.class,
                () -> STRICT.readValue("{\"weight\":" + value + "}", Input.class));
        assertEquals("weight", e.getPath().get(0).getFieldName());
        assertEquals(Double.class, e.getTargetType());
        assertThrows(MismatchedInputException.class, () -> STRICT.readValue("{\"ratio\":" + value + "}", Input.class));
    }

    @ParameterizedTest(name = "count {0}")
    @ValueSource(strings = {"\" \"", "\"\\u0000\"", "\"\"", "\"5\"", "true", "2.5"})
    void anIntegerFieldTakesNothingButAnInteger(String value) {
        MismatchedInputException e = assertThrows(MismatchedInputException.class,
                () -> STRICT.readValue("{\"count\":" + value + "}", Input.class));
        assertEquals("count", e.getPath().get(0).getFieldName());
    }

    @Test
    void numbersAndNullPass() throws Exception {
        Input input = STRICT.readValue("{\"weight\":0.25,\"ratio\":1,\"count\":3}", Input.class);
        assertEquals(0.25, input.weight());
        assertEquals(1f, input.ratio());
        assertEquals(3, input.count());
        Input absent = STRICT.readValue("{\"weight\":null}", Input.class);
        assertNull(absent.weight());
        assertNull(absent.count());
    }

    @ParameterizedTest(name = "name {0}")
    @ValueSource(strings = {"\"\\ud800\"", "\"a\\udc00b\"", "\"\\ud83d\"", "\"x\\u0000y\""})
    void textWithALoneSurrogateOrANulIsRefused(String value) {
        InvalidTextException e = assertThrows(InvalidTextException.class,
                () -> STRICT.readValue("{\"name\":" + value + "}", Input.class));
        assertEquals("name", e.getPath().get(0).getFieldName());
        InvalidTextException inList = assertThrows(InvalidTextException.class,
                () -> STRICT.readValue("{\"tags\":[\"ok\"," + value + "]}", Input.class));
        assertEquals(1, inList.getPath().get(1).getIndex());
    }

    @Test
    void surrogatePairsAndOtherTextPass() throws Exception {
        assertEquals("Sein \uD83D\uDE00 \u00e9", STRICT.readValue("{\"name\":\"Sein \\ud83d\\ude00 \u00e9\"}", Input.class).name());
        assertEquals(List.of("a", "\u4e16"), STRICT.readValue("{\"tags\":[\"a\",\"\u4e16\"]}", Input.class).tags());
    }
}
