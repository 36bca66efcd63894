package io.dialectica.graph.rest;

import io.dialectica.graph.service.GraphProblems;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.FailureTranslator;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;
import org.neo4j.driver.exceptions.TransientException;

/** Neo4j being unreachable, a lost session or a transient refusal is a 503 with Retry-After, not a 500. */
@Singleton
public class StoreFailures implements FailureTranslator {

    private static final Logger LOG = Logger.getLogger(StoreFailures.class);

    @Override
    public ApiProblem translate(Throwable failure) {
        if (failure instanceof ServiceUnavailableException || failure instanceof SessionExpiredException
                || failure instanceof TransientException) {
            LOG.warnf("Neo4j unavailable: %s", failure.getMessage());
            return GraphProblems.storeUnavailable();
        }
        return null;
    }
}
