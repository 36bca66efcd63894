package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.Lsn;
import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.ConvergenceReport;
import io.dialectica.e2e.convergence.Neo4jProjection;
import io.dialectica.e2e.convergence.SearchProjection;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.testsupport.TestJwt;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.neo4j.driver.Session;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An incremental snapshot ({@code POST /admin/snapshots} on cdc-connector, Debezium's signalling table) on the whole
 * chain while a writer keeps writing and readers keep reading with their consistency tokens: concepts the projections
 * lost (deleted by hand from Neo4j and from the index, which no change would bring back) are in both projections
 * again, both converge with PostgreSQL, nothing is there twice, and no read fails or is stale meanwhile.
 */
@ExtendWith(Stack.class)
class IncrementalSnapshotIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = TestJwt.admin("snapshot-operator");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aSnapshotWhileWritesContinueBringsEveryConceptIntoBothProjectionsOnce() throws Exception {
        Instant t0 = Instant.now();
        String user = TestJwt.user("snapshot-" + Stack.RUN);
        List<String[]> seeded = seed(user, 40);
        long seededUpTo = seeded.stream().mapToLong(s -> Lsn.parse(s[1])).max().orElseThrow();
        Projectors.awaitPosition(Stack.graphService(), seededUpTo, Duration.ofSeconds(60));
        Projectors.awaitPosition(Stack.searchService(), seededUpTo, Duration.ofSeconds(60));
        log(t0, "seeded " + seeded.size() + " concepts");

        // the loss: the first five concepts gone from both projections behind their backs
        List<String> lost = seeded.subList(0, 5).stream().map(s -> s[0]).toList();
        try (Neo4jProjection neo4j = new Neo4jProjection(Stack.neo4j().boltUri());
                Session session = neo4j.driver().session()) {
            session.run("UNWIND $ids AS id MATCH (c:Concept {id: id}) DETACH DELETE c", Map.of("ids", lost)).consume();
        }
        deleteFromIndex(lost);
        try (ConvergenceChecker checker = Stack.checker()) {
            ConvergenceReport damaged = checker.check(lost);
            assertFalse(damaged.converged(), "the loss is visible to the checker");
        }

        // readers follow the concepts that were not lost, with their tokens, in both projections
        List<String[]> followed = seeded.subList(5, seeded.size());
        ChangeStorm storm = new ChangeStorm(Stack.conceptService().baseUrl(), 3, 30, Stack.RUN + "-snapshot");
        JsonNode done;
        BackgroundReaders readers = BackgroundReaders.start(2, 200, reader -> new TokenReader(user, followed));
        try (readers; storm) {
            storm.start();
            storm.awaitWrites(30);
            int readsBefore = readers.reads();
            Response requested = given().auth().oauth2(OPERATOR).when().post(cdc("/admin/snapshots"));
            requested.then().statusCode(202);
            String id = requested.path("id");
            log(t0, "snapshot " + id + " requested at " + storm.writes() + " writes");
            done = awaitCompleted(id);
            log(t0, "snapshot completed at " + storm.writes() + " writes, " + (readers.reads() - readsBefore)
                    + " reads during it: " + done);
            storm.awaitWrites(storm.writes() + 30);
        }
        assertTrue(storm.problems().isEmpty(), "writer problems: " + storm.problems());
        assertTrue(readers.errors().isEmpty(), readers.reads() + " reads, failed: " + readers.errors());
        done.path("scanned").fields().forEachRemaining(scan -> assertTrue(
                Set.of("SUCCEEDED", "EMPTY").contains(scan.getValue().path("status").asText()), scan.toString()));
        assertEquals(4, done.path("scanned").size(), "the four tables: " + done);
        assertTrue(done.path("scanned").path("concepts").path("rows").asLong() >= seeded.size(), done.toString());

        try (ConvergenceChecker checker = Stack.checker()) {
            long now = checker.truth().currentWalLsn();
            Projectors.awaitPosition(Stack.graphService(), now, Duration.ofSeconds(90));
            Projectors.awaitPosition(Stack.searchService(), now, Duration.ofSeconds(90));
            ConvergenceReport report = checker.checkAll();
            log(t0, report.describe().lines().findFirst().orElse(""));
            assertTrue(report.converged(), report.describe());
            assertTrue(checker.check(lost).converged(), "the lost concepts are back");
        }
        try (Neo4jProjection neo4j = new Neo4jProjection(Stack.neo4j().boltUri());
                Session session = neo4j.driver().session()) {
            for (String query : List.of(
                    "MATCH (c:Concept) WITH c.id AS id, count(*) AS n WHERE n > 1 RETURN collect(id) AS twice",
                    "MATCH (k:Category) WITH k.id AS id, count(*) AS n WHERE n > 1 RETURN collect(id) AS twice",
                    "MATCH ()-[r]->() WHERE r.id IS NOT NULL WITH r.id AS id, count(*) AS n WHERE n > 1 "
                            + "RETURN collect(id) AS twice")) {
                assertEquals(List.of(), session.run(query).single().get("twice").asList(), query);
            }
        }
        // through the public API too: each lost concept is found again, once
        for (String id : lost) {
            given().auth().oauth2(user).when().get("/api/graph/concepts/" + id).then().statusCode(200);
        }
        String name = seeded.get(0)[2];
        List<String> found = given().auth().oauth2(user).queryParam("q", name).when().get("/api/search")
                .then().statusCode(200).extract().path("items.id");
        assertEquals(1, found.stream().filter(lost.get(0)::equals).count(), "found once: " + found);
        log(t0, readers.reads() + " reads without an error, " + storm.writes() + " writes");
    }

    /** Creates {@code n} public concepts (two categories and a relation each); returns {id, token, unique word}. */
    private static List<String[]> seed(String user, int n) throws Exception {
        List<ConceptClient.Reply> created = ConceptSeeds.create(user, n, k -> Map.of(
                "name", "Snapshotted " + word(k), "visibility", "PUBLIC", "tradition", "Snapshot",
                "categories", List.of(Map.of("name", "Snapshot Whole", "weight", 0.5),
                        Map.of("name", "Snapshot Part " + (k % 7), "weight", 0.25)),
                "relations", List.of(Map.of("from", "Snapshot Part " + (k % 7), "to", "Snapshot Whole",
                        "type", "PART_OF"))));
        List<String[]> seeded = new ArrayList<>();
        for (int k = 0; k < created.size(); k++) {
            seeded.add(new String[] {created.get(k).id(), created.get(k).consistencyToken(), word(k)});
        }
        return seeded;
    }

    /** A word in the k-th seeded concept's name and in no other concept's. */
    private static String word(int k) {
        return "snap" + Stack.RUN + "x" + k;
    }

    /**
     * Token reads of one followed concept from the graph and from search per round; anything but the full answer is
     * an error. Sent to the services themselves (the gateway's rate limit is not under test).
     */
    private static final class TokenReader implements BackgroundReaders.Reader {
        private final List<String[]> followed;
        private final ConceptClient graph;
        private final ConceptClient search;

        TokenReader(String user, List<String[]> followed) {
            this.followed = followed;
            graph = new ConceptClient(Stack.graphService().baseUrl(), user);
            search = new ConceptClient(Stack.searchService().baseUrl(), user);
        }

        @Override
        public int round(int i, Consumer<String> errors) {
            String[] concept = followed.get(i % followed.size());
            Map<String, String> token = Map.of("X-Consistency-Token", concept[1]);
            ConceptClient.Reply one = graph.get("/api/graph/concepts/" + concept[0], token);
            if (one.status() != 200 || one.body().path("categories").size() != 2
                    || one.body().path("relations").size() != 1) {
                errors.accept("graph GET " + concept[0] + ": " + one.status() + " " + one.body());
            }
            ConceptClient.Reply hits = search.get("/api/search?q=" + concept[2], token);
            if (hits.status() != 200 || !hits.body().path("items").toString().contains(concept[0])) {
                errors.accept("search " + concept[2] + ": " + hits.status() + " " + hits.body());
            }
            return 2;
        }

        @Override
        public void close() {
            graph.close();
            search.close();
        }
    }

    private static JsonNode awaitCompleted(String id) throws Exception {
        Instant deadline = Instant.now().plusSeconds(180);
        JsonNode view = null;
        while (Instant.now().isBefore(deadline)) {
            Response response = given().auth().oauth2(OPERATOR).when().get(cdc("/admin/snapshots/" + id));
            response.then().statusCode(200);
            view = JSON.readTree(response.asString());
            String state = view.path("state").asText();
            if ("COMPLETED".equals(state)) {
                return view;
            }
            assertFalse(Set.of("ABORTED", "SUPERSEDED").contains(state), "snapshot " + view);
            Thread.sleep(200);
        }
        throw new AssertionError("snapshot " + id + " did not complete: " + view + "; see "
                + Stack.cdcConnector().log());
    }

    /** Deletes the concepts' documents from this run's index directly (what no change event would do). */
    private static void deleteFromIndex(List<String> ids) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("query", Map.of("ids", Map.of("values", ids))));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(Stack.OPENSEARCH + "/" + Stack.SEARCH_ALIAS + "/_delete_by_query?refresh=true"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(ids.size(), JSON.readTree(response.body()).path("deleted").asInt(), response.body());
    }

    private static String cdc(String path) {
        return Stack.cdcConnector().baseUrl() + path;
    }

    private static void log(Instant t0, String message) {
        System.out.printf("[IncrementalSnapshotIT +%5.1fs] %s%n", Duration.between(t0, Instant.now()).toMillis() / 1000.0,
                message);
    }
}
