package io.dialectica.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Three requests per subject and minute, so a test can exhaust a window quickly. */
public class LowRateLimitProfile implements QuarkusTestProfile {

    public static final int LIMIT = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        // a generous Redis timeout: on a loaded CI machine a cold first burst can take longer than the
        // production 500 ms, and the limiter would then fail open — these tests are about counting
        return Map.of("gateway.rate-limit.requests", Integer.toString(LIMIT), "gateway.rate-limit.window", "60s",
                "gateway.rate-limit.redis-timeout", "10s");
    }
}
