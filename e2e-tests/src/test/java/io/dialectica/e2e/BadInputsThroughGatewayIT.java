package io.dialectica.e2e;

import io.dialectica.testsupport.BadInputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

/** The whole bad-input table, end to end: each refused with problem+json, the database unchanged. */
@ExtendWith(Stack.class)
class BadInputsThroughGatewayIT {

    private static BadInputs.Fixtures fixtures;

    static List<BadInputs.Case> cases() {
        return BadInputs.cases();
    }

    @BeforeAll
    static void createFixtures() {
        fixtures = BadInputs.createFixtures();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedAndChangesNothing(BadInputs.Case badInput) {
        BadInputs.check(badInput, fixtures, Stack::fingerprint);
    }
}
