package io.dialectica.concept.rest;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;

/** Request bodies and calls the API tests share. */
final class Concepts {

    private Concepts() {
    }

    static Map<String, Object> hegel(String name, String visibility) {
        return Map.of(
                "name", name,
                "description", "Hegel's opening triad of the Science of Logic: pure being and pure nothing pass into each other.",
                "tradition", "German Idealism",
                "visibility", visibility,
                "categories", List.of(
                        Map.of("name", "Being", "description", "Pure indeterminate immediacy", "weight", 0.9, "x", 0, "y", 0),
                        Map.of("name", "Nothing", "weight", 0.9, "x", 200, "y", 0),
                        Map.of("name", "Becoming", "weight", 1.0, "x", 100, "y", 150)),
                "relations", List.of(
                        Map.of("from", "Being", "to", "Nothing", "type", "NEGATES", "weight", 0.8,
                                "rationale", "Being, taken purely, is nothing"),
                        Map.of("from", "Becoming", "to", "Being", "type", "SUBLATES", "weight", 1.0)));
    }

    static ValidatableResponse create(String token, Object body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .when().post("/api/concepts").then();
    }

    /** Runs the calls all at once, one thread each; their results in the order of the calls. */
    static <T> List<T> allAtOnce(List<Callable<T>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<T> results = new ArrayList<>();
            for (Future<T> result : pool.invokeAll(calls)) {
                results.add(result.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    static String createId(String token, Object body) {
        return create(token, body).statusCode(201).extract().path("id");
    }
}
