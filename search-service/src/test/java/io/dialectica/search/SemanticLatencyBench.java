package io.dialectica.search;

import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.search.embedding.Vectors;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Not a test: how long a search takes through the API at N concepts, per mode (README, "Semantic and hybrid
 * search"). Runs only when asked: {@code ./dialectica test -- -pl search-service -am -Dtest=SemanticLatencyBench
 * -Dsearch.bench.docs=10000 -Dit.test=none -Dsurefire.failIfNoSpecifiedTests=false}. Writes N documents straight
 * into this run's index (random unit vectors, 5/6 public, words from a small vocabulary; the projection is not what
 * is measured), then 40 queries per mode (5 warm-up), each a new text so the hot-query cache never answers.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(SearchTestStack.class)
class SemanticLatencyBench {

    private static final String[] WORDS = {"virtue", "reason", "being", "nothing", "becoming", "mind", "matter",
        "form", "cause", "freedom", "duty", "justice", "truth", "logic", "nature", "spirit", "history", "language"};

    @Test
    void latencyPerMode() {
        int n = Integer.getInteger("search.bench.docs", 0);
        assumeTrue(n > 0, "set -Dsearch.bench.docs=N to run");
        String tradition = "Bench-" + UUID.randomUUID().toString().substring(0, 8);
        Random random = new Random(7);
        // the alias exists once the projector prepared the indexes (the first search waits for nothing else)
        given().auth().oauth2(TestJwt.admin("bench")).when().get("/api/search?size=1").then().statusCode(200);
        for (int start = 0; start < n; start += 1000) {
            StringBuilder bulk = new StringBuilder();
            for (int i = start; i < Math.min(n, start + 1000); i++) {
                String id = UUID.randomUUID().toString();
                String name = WORDS[random.nextInt(WORDS.length)] + " and " + WORDS[random.nextInt(WORDS.length)] + " " + i;
                String description = "On " + WORDS[random.nextInt(WORDS.length)] + ", " + WORDS[random.nextInt(WORDS.length)]
                        + " and " + WORDS[random.nextInt(WORDS.length)] + ".";
                float[] vector = unit(random);
                bulk.append("{\"index\":{\"_id\":\"").append(id).append("\"}}\n");
                bulk.append("{\"id\":\"").append(id).append("\",\"name\":\"").append(name).append("\",\"description\":\"")
                        .append(description).append("\",\"tradition\":\"").append(tradition).append("\",\"owner\":\"u")
                        .append(random.nextInt(50)).append("\",\"visibility\":\"")
                        .append(random.nextInt(6) == 0 ? "PRIVATE" : "PUBLIC").append("\",\"deleted\":false,")
                        .append("\"embedding\":\"").append(Vectors.encode(vector)).append("\",\"embeddingKey\":\"")
                        .append(ConceptText.key(name)).append("\"}\n");
            }
            OpenSearchDocs.send("POST", "/" + SearchTestStack.ALIAS + "/_bulk", bulk.toString());
        }
        OpenSearchDocs.call("POST", "/" + SearchTestStack.ALIAS + "/_refresh");
        OpenSearchDocs.call("POST", "/" + SearchTestStack.ALIAS + "/_forcemerge?max_num_segments=1");
        int total = given().auth().oauth2(TestJwt.admin("bench")).queryParam("tradition", tradition).queryParam("size", 1)
                .when().get("/api/search").then().statusCode(200).extract().path("total");
        assertEquals(n, total);

        StringBuilder report = new StringBuilder("semantic latency bench: " + n + " documents");
        for (String mode : List.of("text", "semantic", "hybrid")) {
            List<Long> times = new ArrayList<>();
            for (int k = 0; k < 45; k++) {
                String q = WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " " + k + mode;
                long t = System.nanoTime();
                given().auth().oauth2(TestJwt.user("u1")).queryParam("tradition", tradition).queryParam("mode", mode)
                        .queryParam("q", q).queryParam("size", 10).when().get("/api/search").then().statusCode(200);
                if (k >= 5) {
                    times.add((System.nanoTime() - t) / 1_000_000);
                }
            }
            Collections.sort(times);
            report.append("; ").append(mode).append(" p50=").append(times.get(times.size() / 2)).append(" ms p90=")
                    .append(times.get(times.size() * 9 / 10)).append(" ms max=").append(times.get(times.size() - 1))
                    .append(" ms");
        }
        System.out.println(report);
    }

    private static float[] unit(Random random) {
        float[] v = new float[ConceptText.DIMENSIONS];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
            sum += v[i] * v[i];
        }
        double norm = Math.sqrt(sum);
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) norm;
        }
        return v;
    }
}
