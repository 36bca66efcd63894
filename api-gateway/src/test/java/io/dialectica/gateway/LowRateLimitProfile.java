package io.dialectica.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Three requests per subject and minute, so a test can exhaust a window quickly. */
public class LowRateLimitProfile implements QuarkusTestProfile {

    public static final int LIMIT = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("gateway.rate-limit.requests", Integer.toString(LIMIT), "gateway.rate-limit.window", "60s");
    }
}
