package io.dialectica.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dialectica.testsupport.JwtTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /q/openapi serves the public API's generated document (META-INF/openapi.yaml) as it is checked in: every
 * operation with its operationId, the servers and the one security scheme, nothing added at run time;
 * /q/asyncapi serves the /ws/jobs description. Both without a token.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class PublicApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void openApiIsTheCheckedInPublicDocument() throws Exception {
        JsonNode checkedIn;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/openapi.yaml")) {
            checkedIn = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        JsonNode served = JSON.readTree(given().accept("application/json").queryParam("format", "json")
                .when().get("/q/openapi").then().statusCode(200).extract().asString());

        Map<String, String> expected = operations(checkedIn);
        assertTrue(expected.size() >= 27, "the public document lists " + expected.size() + " operations");
        assertEquals(expected, operations(served));
        assertEquals(checkedIn.path("servers"), served.path("servers"));
        assertEquals(checkedIn.path("security"), served.path("security"));
        assertEquals(checkedIn.path("components").path("securitySchemes"), served.path("components").path("securitySchemes"));
        assertEquals(checkedIn.path("components").path("schemas").size(), served.path("components").path("schemas").size());
        assertEquals("application/problem+json", served.at("/paths/~1api~1concepts/post/responses/422/content")
                .fieldNames().next());
    }

    @Test
    void asyncApiDescribesTheJobsSocket() {
        given().when().get("/q/asyncapi").then().statusCode(200)
                .contentType(startsWith("application/yaml"))
                .body(containsString("asyncapi: 3.1.0"))
                .body(containsString("address: /ws/jobs"));
    }

    /** "METHOD path" -> operationId. */
    private static Map<String, String> operations(JsonNode doc) {
        Map<String, String> ops = new TreeMap<>();
        doc.path("paths").properties().forEach(p -> p.getValue().properties().forEach(op -> {
            if (op.getValue().has("responses")) {
                ops.put(op.getKey().toUpperCase() + " " + p.getKey(), op.getValue().path("operationId").asText());
            }
        }));
        return ops;
    }
}
