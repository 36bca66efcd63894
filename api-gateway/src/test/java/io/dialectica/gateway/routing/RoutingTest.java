package io.dialectica.gateway.routing;

import io.dialectica.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The route table on its own: pattern syntax, matching and precedence. */
class RoutingTest {

    @Test
    void patternsMatchWholeSegments() {
        PathPattern concepts = PathPattern.parse("/api/concepts/**");
        assertTrue(concepts.matches("/api/concepts"));
        assertTrue(concepts.matches("/api/concepts/"));
        assertTrue(concepts.matches("/api/concepts/42/categories/7"));
        assertFalse(concepts.matches("/api/conceptsX"));
        assertFalse(concepts.matches("/api/concept"));
        assertFalse(concepts.matches("/api"));
        assertFalse(concepts.matches("api/concepts"));

        PathPattern theses = PathPattern.parse("/api/concepts/{id}/theses/**");
        assertTrue(theses.matches("/api/concepts/42/theses"));
        assertTrue(theses.matches("/api/concepts/42/theses/9"));
        assertFalse(theses.matches("/api/concepts//theses"));
        assertFalse(theses.matches("/api/concepts/42/categories"));

        PathPattern exact = PathPattern.parse("/api/search/*");
        assertTrue(exact.matches("/api/search/concepts"));
        assertFalse(exact.matches("/api/search"));
        assertFalse(exact.matches("/api/search/concepts/more"));
    }

    @Test
    void malformedPatternsAreRefused() {
        for (String bad : List.of("api/concepts", "/api/**/x", "/api//x", "/api/con*", "/api/{id")) {
            assertThrows(IllegalArgumentException.class, () -> PathPattern.parse(bad), bad);
        }
    }

    @Test
    void theMostSpecificPatternWinsWhateverTheOrderOfTheConfiguration() {
        Map<String, GatewayConfig.Route> routes = new LinkedHashMap<>();
        routes.put("concepts", route("concept-service", "/api/concepts/**"));
        routes.put("theses", route("thesis-service", "/api/concepts/{id}/theses/**"));
        routes.put("jobs", route("thesis-service", "/api/jobs/**", "/api/syntheses/**"));
        routes.put("search", route("search-service", "/api/search/**"));
        routes.put("suggest", route("concept-service", "/api/search/suggest"));
        RouteTable table = new RouteTable(routes, Set.of("concept-service", "thesis-service", "search-service"));

        assertEquals("concepts", table.match("/api/concepts/42").orElseThrow().route());
        assertEquals("theses", table.match("/api/concepts/42/theses").orElseThrow().route());
        assertEquals("thesis-service", table.match("/api/concepts/42/theses/1").orElseThrow().backend());
        assertEquals("concepts", table.match("/api/concepts/42/categories").orElseThrow().route());
        assertEquals("jobs", table.match("/api/syntheses").orElseThrow().route());
        assertEquals("suggest", table.match("/api/search/suggest").orElseThrow().route());
        assertEquals("search", table.match("/api/search/suggest/more").orElseThrow().route());
        assertEquals("/api/concepts/**", table.match("/api/concepts").orElseThrow().pattern());
        assertTrue(table.match("/api/graph").isEmpty());
    }

    @Test
    void aRouteToAnUnknownBackendOrAPatternClaimedTwiceStopsTheStart() {
        assertThrows(IllegalStateException.class,
                () -> new RouteTable(Map.of("x", route("nobody", "/api/x/**")), Set.of("concept-service")));
        Map<String, GatewayConfig.Route> twice = new LinkedHashMap<>();
        twice.put("a", route("concept-service", "/api/concepts/{id}/**"));
        twice.put("b", route("concept-service", "/api/concepts/*/**"));
        assertThrows(IllegalStateException.class, () -> new RouteTable(twice, Set.of("concept-service")));
    }

    private static GatewayConfig.Route route(String backend, String... paths) {
        return new GatewayConfig.Route() {
            @Override
            public List<String> paths() {
                return List.of(paths);
            }

            @Override
            public String backend() {
                return backend;
            }
        };
    }
}
