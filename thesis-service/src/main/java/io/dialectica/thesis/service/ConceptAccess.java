package io.dialectica.thesis.service;

import io.dialectica.service.problem.ApiProblem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * Whether the caller may see a concept, asked of concept-service with the caller's token. A 404 there
 * is a 404 here (a private concept of somebody else is indistinguishable from a missing one); an
 * unreachable, slow or failing concept-service is a 503 after the retries, and opens the breaker so
 * a dead dependency costs callers nothing but the answer.
 */
@ApplicationScoped
public class ConceptAccess {

    private static final Logger LOG = Logger.getLogger(ConceptAccess.class);

    @Inject
    ConceptLookup lookup;

    /** Completes when the concept is visible; fails with a 404 or 503 {@link ApiProblem} otherwise. */
    public Uni<Void> requireVisible(String field, UUID conceptId, String authorization) {
        return lookup.fetch(conceptId, authorization)
                .onFailure(f -> !(f instanceof NotVisible)).transform(f -> {
                    LOG.warnf("concept-service did not answer for concept %s: %s", conceptId, f.toString());
                    return ThesisProblems.unavailable("concept-service is unavailable; try again later");
                })
                .onFailure(NotVisible.class).transform(f -> new ApiProblem(404, "not-found", "Not found",
                        "concept " + conceptId + " does not exist",
                        java.util.List.of(new ApiProblem.FieldError(field, "no such concept"))));
    }

    /** concept-service said 404 (or 403): final, neither retried nor counted as a failure of the dependency. */
    public static final class NotVisible extends RuntimeException {
        NotVisible() {
            super("not visible", null, false, false);
        }
    }
}
