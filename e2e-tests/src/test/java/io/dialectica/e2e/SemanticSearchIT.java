package io.dialectica.e2e;

import io.dialectica.testsupport.TestJwt;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Semantic search end to end, through the gateway: concepts written to concept-service reach graph-service, which
 * embeds them and publishes the vectors; search-service takes them into its documents and embeds the query itself —
 * two services, one model. Nothing here computes a vector.
 */
@ExtendWith(Stack.class)
class SemanticSearchIT {

    private final String alice = TestJwt.user("alice-semantic");
    private final String tradition = "Semantic-e2e-" + UUID.randomUUID().toString().substring(0, 8);

    private String create(String name, String description, String visibility, String token, String... categories) {
        List<Map<String, Object>> cats = java.util.Arrays.stream(categories)
                .map(c -> Map.<String, Object>of("name", c, "weight", 0.7)).toList();
        Map<String, Object> body = Map.of("name", name, "description", description, "tradition", tradition,
                "visibility", visibility, "categories", cats, "relations", List.of());
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).when().post("/api/concepts")
                .then().statusCode(201).extract().path("id");
    }

    private Response semantic(String token, String q) {
        return given().auth().oauth2(token).queryParam("mode", "semantic").queryParam("q", q)
                .queryParam("tradition", tradition).when().get("/api/search");
    }

    @Test
    void conceptsWrittenThroughTheGatewayAreFoundByMeaning() throws InterruptedException {
        String aristotle = create("Aristotelian virtue ethics", "Moral excellence is a settled disposition of "
                + "character, acquired by habit and aimed at eudaimonia, human flourishing.", "PUBLIC", alice,
                "Virtue", "Character", "Eudaimonia");
        String confucius = create("Confucian ethics of virtue", "Ren and li are cultivated through lifelong "
                + "self-cultivation; the exemplary gentleman acts rightly from a character formed by habit.", "PUBLIC",
                alice, "Virtue", "Moral cultivation");
        String qualia = create("Qualia", "The subjective felt qualities of conscious experience, what it is like to "
                + "see red, and whether physical facts about the brain explain them.", "PUBLIC", alice,
                "Consciousness", "Perception");
        String logic = create("Modus ponens", "From a conditional and its antecedent infer the consequent; valid by "
                + "form alone.", "PUBLIC", alice, "Inference", "Deduction");
        String secret = create("What makes a human being good", "How one ought to act well every day: honesty, "
                + "kindness and courage of character.", "PRIVATE", TestJwt.user("mallory-semantic"), "Virtue");

        // the vectors follow the writes by about a second (graph-service's worker, then the embeddings topic)
        Response r = null;
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            r = semantic(alice, "how should a good person live");
            if (r.statusCode() == 200 && r.<Integer>path("total") == 4) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(4, (int) r.<Integer>path("total"), "the four public concepts have vectors: " + r.asString());
        List<String> ids = r.path("items.id");
        assertEquals(Set.of(aristotle, confucius), Set.copyOf(ids.subList(0, 2)), r.asString());
        assertTrue(ids.containsAll(List.of(qualia, logic)));
        assertFalse(ids.contains(secret), "another user's private concept never appears");
        // no word of the query occurs in them: the text search finds none
        given().auth().oauth2(alice).queryParam("q", "how should a good person live").queryParam("tradition", tradition)
                .when().get("/api/search").then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(0));
    }
}
