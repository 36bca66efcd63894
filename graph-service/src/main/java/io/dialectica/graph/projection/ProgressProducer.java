package io.dialectica.graph.projection;

import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.graph.config.GraphConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The projector's positions (contracts' {@link ProjectionProgress}), shared by the consumer and the read API. */
public class ProgressProducer {

    @Produces
    @Singleton
    ProjectionProgress progress(GraphConfig config) {
        return new ProjectionProgress(config.projection().recentKeys());
    }
}
