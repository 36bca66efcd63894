package io.dialectica.concept.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How long and how many requests may wait for a pooled database connection (see {@link BoundedPgPool}). */
@ConfigMapping(prefix = "dialectica.datasource")
public interface DatasourceLimits {

    /** Requests waiting for a connection beyond this are refused at once (503). */
    @WithDefault("200")
    int maxWaitQueueSize();

    /** A request that waited this long for a connection is refused (503). */
    @WithDefault("5s")
    Duration connectionTimeout();
}
