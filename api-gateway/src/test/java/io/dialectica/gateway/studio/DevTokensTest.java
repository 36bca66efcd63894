package io.dialectica.gateway.studio;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dev-token endpoint outside development profiles: off in the shipped prod configuration, refused if switched on. */
class DevTokensTest {

    @Test
    void switchedOnOutsideADevelopmentProfileTheGatewayRefusesToStart() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DevTokens.check(true, List.of("prod")));
        assertTrue(refused.getMessage().contains("studio.dev-token.enabled=true is refused"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> DevTokens.check(true, List.of("staging", "prod")));
        assertThrows(IllegalStateException.class, () -> DevTokens.check(true, List.of()));
        assertDoesNotThrow(() -> DevTokens.check(false, List.of("prod")));
        assertDoesNotThrow(() -> DevTokens.check(true, List.of("local", "prod")));
        assertDoesNotThrow(() -> DevTokens.check(true, List.of("dev")));
        assertDoesNotThrow(() -> DevTokens.check(true, List.of("test")));
    }

    @Test
    void theShippedConfigurationEnablesItOnlyInTheLocalAndDevProfiles() throws IOException {
        URL properties = getClass().getClassLoader().getResource("application.properties");
        for (String profile : new String[] {"prod", "test", "staging"}) {
            assertFalse(config(properties, profile).getOptionalValue("studio.dev-token.enabled", Boolean.class).orElse(false),
                    "studio.dev-token.enabled in profile " + profile);
        }
        for (String profile : new String[] {"local", "dev"}) {
            assertEquals(Boolean.TRUE, config(properties, profile).getValue("studio.dev-token.enabled", Boolean.class), profile);
        }
        // the local profile is prod's configuration plus the sign-in
        assertEquals("prod", config(properties, "local").getValue("quarkus.config.profile.parent", String.class));
    }

    @Test
    void userNamesAreThoseOfDialecticaToken() {
        for (String ok : new String[] {"alice", "a", "bob.smith@example.org", "x_y-z", "A".repeat(64)}) {
            assertTrue(DevTokens.validUser(ok), ok);
        }
        for (String bad : new String[] {"", " ", "a b", "alice\n", "é", "A".repeat(65), "a/b", "<script>"}) {
            assertFalse(DevTokens.validUser(bad), bad);
        }
        assertFalse(DevTokens.validUser(null));
    }

    private static SmallRyeConfig config(URL properties, String profile) throws IOException {
        return new SmallRyeConfigBuilder().withProfile(profile).withSources(new PropertiesConfigSource(properties)).build();
    }
}
