package io.dialectica.search.config;

import io.dialectica.contracts.projection.ProjectionProgress;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The projector's positions, shared by the consuming thread and the request handlers that wait on them. */
public class ProgressProducer {

    @Produces
    @Singleton
    ProjectionProgress progress(SearchConfig config) {
        return new ProjectionProgress(config.consumer().recentKeys());
    }
}
