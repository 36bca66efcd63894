package io.dialectica.service.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.dialectica.service.problem.InvalidTextException;

import java.io.IOException;

/**
 * Deserializers of the strict reader ({@link StrictJsonCustomizer}) for what Jackson's coercion settings cannot
 * refuse:
 *
 * <ul>
 * <li>a {@code Double} or {@code Float} is read from a JSON number only. Jackson accepts the strings "NaN",
 * "Infinity" and "-Infinity" for them whatever the coercion settings (its special-value check comes first);
 * here they are refused like any other string, as are booleans, blanks, arrays and objects;</li>
 * <li>a {@code String} holding a lone UTF-16 surrogate (a JSON escape such as {@code "\\ud800"} that is half of a
 * pair) or a NUL character is refused ({@link InvalidTextException}): neither can be stored as UTF-8 text in
 * PostgreSQL, and a surrogate half has no meaning to any client.</li>
 * </ul>
 */
final class StrictScalars {

    private StrictScalars() {
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("dialectica-strict-scalars");
        module.addDeserializer(Double.class, new NumberOnly<>(Double.class) {
            @Override
            Double value(JsonParser parser) throws IOException {
                return parser.getDoubleValue();
            }
        });
        module.addDeserializer(Float.class, new NumberOnly<>(Float.class) {
            @Override
            Float value(JsonParser parser) throws IOException {
                return parser.getFloatValue();
            }
        });
        module.addDeserializer(String.class, new CheckedText());
        return module;
    }

    /** A floating-point wrapper from a JSON number; {@code null} stays null (absent), anything else fails. */
    abstract static class NumberOnly<T> extends StdScalarDeserializer<T> {

        NumberOnly(Class<T> type) {
            super(type);
        }

        abstract T value(JsonParser parser) throws IOException;

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                return value(parser);
            }
            return (T) context.handleUnexpectedToken(handledType(), parser);
        }
    }

    /** Jackson's own String reading, then the check for lone surrogates and NUL characters. */
    static final class CheckedText extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = super.deserialize(parser, context);
            String reason = problem(text);
            if (reason != null) {
                throw new InvalidTextException(parser, reason, text);
            }
            return text;
        }
    }

    /** @return why the text is refused, or null when it is fine */
    static String problem(String text) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "must not contain a NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++; // a pair: one supplementary character
                    continue;
                }
                return "must not contain a lone UTF-16 surrogate";
            }
            if (Character.isLowSurrogate(c)) {
                return "must not contain a lone UTF-16 surrogate";
            }
        }
        return null;
    }
}
