package io.dialectica.concept.rest;

import io.dialectica.testsupport.BadInputs;
import io.dialectica.testsupport.JwtTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

/** Every bad request is refused with a precise problem document and changes nothing. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
class BadInputTest {

    private static BadInputs.Fixtures fixtures;

    @Inject
    Database database;

    static List<BadInputs.Case> cases() {
        return BadInputs.cases();
    }

    @BeforeEach
    void createFixturesOnce() {
        if (fixtures == null) {
            fixtures = BadInputs.createFixtures();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedAndChangesNothing(BadInputs.Case badInput) {
        BadInputs.check(badInput, fixtures, database::fingerprint);
    }
}
