package io.dialectica.search;

import io.dialectica.testsupport.TestJwt;

import static io.dialectica.search.ChangeStream.CATEGORIES;
import static io.dialectica.search.ChangeStream.CONCEPTS;
import static io.dialectica.search.ChangeStream.MEMBERSHIPS;
import static io.dialectica.search.ChangeStream.RELATIONS;
import static io.dialectica.search.ChangeStream.category;
import static io.dialectica.search.ChangeStream.concept;
import static io.dialectica.search.ChangeStream.id;
import static io.dialectica.search.ChangeStream.insert;
import static io.dialectica.search.ChangeStream.membership;
import static io.dialectica.search.ChangeStream.relation;
import static io.restassured.RestAssured.given;

/** Common test moves: create a concept as concept-service would, wait until a position is searchable. */
final class Fixtures {

    private Fixtures() {
    }

    /** A concept created with two new categories and a relation, in one transaction. */
    record Created(String conceptId, String firstCategory, String secondCategory, String relationId, long lsn) {
    }

    static Created createConcept(ChangeStream stream, String owner, String name, String description, String tradition,
            String visibility, String firstName, String secondName, String rationale) {
        String conceptId = id();
        String first = id();
        String second = id();
        String relationId = id();
        ChangeStream.Tx tx = stream.tx()
                .concept(conceptId, insert(CONCEPTS, concept(conceptId, owner, name, description, tradition, visibility, 1)))
                .concept(conceptId, insert(CATEGORIES, category(first, firstName, null)))
                .concept(conceptId, insert(CATEGORIES, category(second, secondName, null)))
                .concept(conceptId, insert(MEMBERSHIPS, membership(id(), conceptId, first, 0.9)))
                .concept(conceptId, insert(MEMBERSHIPS, membership(id(), conceptId, second, 0.8)))
                .concept(conceptId, insert(RELATIONS, relation(relationId, conceptId, first, second, "NEGATES", rationale)))
                .category(first, insert(CATEGORIES, category(first, firstName, null)))
                .category(second, insert(CATEGORIES, category(second, secondName, null)));
        long lsn = tx.send();
        return new Created(conceptId, first, second, relationId, lsn);
    }

    /** Waits (through the API's own token wait) until everything up to {@code lsn} is searchable. */
    static void awaitSearchable(long lsn) {
        given().auth().oauth2(TestJwt.admin("test-admin")).header("X-Consistency-Token", ChangeStream.token(lsn))
                .when().get("/api/search/suggest?prefix=zz")
                .then().statusCode(200);
    }
}
