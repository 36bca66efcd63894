package io.dialectica.search.rest;

import io.dialectica.search.index.OpenSearchException;
import io.dialectica.search.service.SearchProblems;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.FailureTranslator;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** OpenSearch failing or unreachable is a 503 with Retry-After, not a 500. */
@Singleton
public class IndexFailures implements FailureTranslator {

    private static final Logger LOG = Logger.getLogger(IndexFailures.class);

    @Override
    public ApiProblem translate(Throwable failure) {
        if (failure instanceof OpenSearchException) {
            LOG.warnf("OpenSearch failed: %s", failure.getMessage());
            return SearchProblems.unavailable("the search index is not reachable; retry shortly");
        }
        return null;
    }
}
