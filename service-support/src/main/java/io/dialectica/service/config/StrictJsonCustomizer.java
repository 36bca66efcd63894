package io.dialectica.service.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Wrong JSON types are errors, not guesses: "0.5" is not a weight, 42 is not a name, a typo'd field is
 * not silently dropped. The client learns about its mistake instead of storing something else.
 *
 * <p>Numbers are numbers: a number field takes a JSON number or null (= absent) only. Strings are refused,
 * the empty and blank ones included (Jackson reads {@code " "} or {@code "\\u0000"} as null otherwise, so the
 * default would be stored in silence), and so are "NaN"/"Infinity" and booleans ({@link StrictScalars}).
 * Text is text: a string with a lone UTF-16 surrogate or a NUL character is refused.
 *
 * <p>Opt-in with the build-time property {@code dialectica.json.strict=true}: it changes the application's
 * one ObjectMapper, which a projector also uses to read change events, where unknown fields must pass.
 */
@Singleton
@IfBuildProperty(name = "dialectica.json.strict", stringValue = "true")
public class StrictJsonCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        mapper.configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
        mapper.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        mapper.configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setAcceptBlankAsEmpty(false);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setAcceptBlankAsEmpty(false);
        mapper.coercionConfigFor(LogicalType.Enum)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.registerModule(StrictScalars.module());
    }
}
