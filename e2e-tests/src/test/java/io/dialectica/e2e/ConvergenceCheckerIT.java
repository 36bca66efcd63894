package io.dialectica.e2e;

import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.ConvergenceReport;
import io.dialectica.e2e.convergence.Difference;
import io.dialectica.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker itself, against projections broken by hand: it must report exactly what was broken, in the
 * store where it was broken, and nothing else.
 */
@ExtendWith(Stack.class)
class ConvergenceCheckerIT {

    private static ConvergenceChecker checker;
    private static Driver neo4j;

    @BeforeAll
    static void open() {
        checker = Stack.checker();
        neo4j = GraphDatabase.driver(Stack.neo4j().boltUri(), AuthTokens.none());
    }

    @AfterAll
    static void close() {
        neo4j.close();
        checker.close();
    }

    /** Creates a concept and waits (with its token) until both projections applied it. */
    private static String projectedConcept(String user) {
        Response created = given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of(
                "name", "Checker subject", "tradition", "Kantian", "visibility", "PUBLIC",
                "description", "Used to break projections by hand.",
                "categories", List.of(Map.of("name", "Intuition", "weight", 0.5), Map.of("name", "Concept", "weight", 0.7),
                        Map.of("name", "Schema", "weight", 0.3)),
                "relations", List.of(Map.of("from", "Schema", "to", "Intuition", "type", "GROUNDS", "rationale", "time"),
                        Map.of("from", "Concept", "to", "Intuition", "type", "OPPOSES"))))
                .when().post("/api/concepts");
        created.then().statusCode(201);
        String id = created.path("id");
        String token = created.header("X-Consistency-Token");
        given().auth().oauth2(user).header("X-Consistency-Token", token).when().get("/api/graph/concepts/" + id)
                .then().statusCode(200);
        given().auth().oauth2(user).header("X-Consistency-Token", token).queryParam("q", "Checker subject")
                .when().get("/api/search").then().statusCode(200);
        return id;
    }

    @Test
    void aRelationshipDeletedInNeo4jIsReportedAndNothingElse() {
        String user = TestJwt.user("checker-relation");
        String id = projectedConcept(user);
        ConvergenceReport before = checker.check(List.of(id));
        assertTrue(before.converged(), before.describe());

        neo4j.executableQuery("MATCH (:Category)-[r:GROUNDS]->(:Category) WHERE r.conceptId = $id DELETE r")
                .withParameters(Map.of("id", id)).execute();

        ConvergenceReport after = checker.check(List.of(id));
        assertEquals(1, after.differences().size(), after.describe());
        Difference difference = after.differences().getFirst();
        assertEquals("neo4j", difference.store());
        assertEquals(id, difference.conceptId());
        assertTrue(difference.path().matches("relations\\[Schema \\(\\w+\\) -GROUNDS-> Intuition \\(\\w+\\)]"), difference.toString());
        assertEquals(Difference.ABSENT, difference.actual());
        given().auth().oauth2(user).when().delete("/api/concepts/" + id).then().statusCode(204);
    }

    @Test
    void aChangedWeightInNeo4jAndAChangedNameInTheIndexAreReportedWithBothValues() throws Exception {
        String user = TestJwt.user("checker-fields");
        String id = projectedConcept(user);
        neo4j.executableQuery("MATCH (c:Concept {id: $id})-[i:INCLUDES]->(:Category {name: 'Concept'}) SET i.weight = 0.25")
                .withParameters(Map.of("id", id)).execute();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> updated = http.send(HttpRequest.newBuilder(
                            URI.create(Stack.OPENSEARCH + "/" + Stack.SEARCH_ALIAS + "/_update/" + id + "?refresh=true"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"doc\":{\"name\":\"Broken by hand\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, updated.statusCode(), updated.body());
        }

        ConvergenceReport report = checker.check(List.of(id));
        assertEquals(2, report.differences().size(), report.describe());
        Difference neo = report.differences().stream().filter(d -> d.store().equals("neo4j")).findFirst().orElseThrow();
        assertTrue(neo.path().matches("categories\\[Concept \\(\\w+\\)]\\.weight"), neo.toString());
        assertEquals(0.7, (Double) neo.expected(), 1e-9);
        assertEquals(0.25, (Double) neo.actual(), 1e-9);
        Difference search = report.differences().stream().filter(d -> d.store().equals("search")).findFirst().orElseThrow();
        assertEquals("name", search.path());
        assertEquals("Checker subject", search.expected());
        assertEquals("Broken by hand", search.actual());
        given().auth().oauth2(user).when().delete("/api/concepts/" + id).then().statusCode(204);
    }

    @Test
    void aConceptThatPostgresqlDoesNotHaveMustNotBeInAProjection() {
        String ghost = UUID.randomUUID().toString();
        neo4j.executableQuery("CREATE (:Concept {id: $id, name: 'Ghost', visibility: 'PUBLIC', owner: 'nobody'})")
                .withParameters(Map.of("id", ghost)).execute();
        try {
            ConvergenceReport report = checker.check(List.of(ghost));
            assertEquals(1, report.differences().size(), report.describe());
            assertEquals("neo4j", report.differences().getFirst().store());
            assertEquals("concept", report.differences().getFirst().path());
        } finally {
            neo4j.executableQuery("MATCH (c:Concept {id: $id}) DETACH DELETE c").withParameters(Map.of("id", ghost)).execute();
        }
        assertTrue(checker.check(List.of(ghost)).converged());
    }
}
