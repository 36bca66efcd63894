package io.dialectica.concept.service;

import io.dialectica.concept.model.Concept;
import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.repository.ConceptRepository;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.UUID;

/**
 * The ownership rules, in one place: everybody sees PUBLIC concepts, the owner and admins see
 * PRIVATE ones (to anyone else they do not exist: 404); only the owner or an admin changes a concept.
 */
@ApplicationScoped
public class ConceptAccess {

    @Inject
    ConceptRepository concepts;

    public static boolean canSee(Caller caller, Concept concept) {
        return concept.visibility == Visibility.PUBLIC || canChange(caller, concept);
    }

    public static boolean canChange(Caller caller, Concept concept) {
        return caller.admin() || concept.owner.equals(caller.subject());
    }

    /** The concept if the caller may see it, else 404. */
    public Uni<Concept> visible(Caller caller, UUID id) {
        return concepts.findById(id).map(concept -> {
            if (concept == null || !canSee(caller, concept)) {
                throw ApiProblem.notFound("concept " + id);
            }
            return concept;
        });
    }

    /**
     * The concept, row-locked for the rest of the transaction, if the caller may change it and the
     * If-Match precondition holds. The lock makes the version check and the write one atomic step.
     */
    public Uni<Concept> lockForChange(Caller caller, UUID id, String ifMatch, boolean ifMatchRequired) {
        return concepts.findForUpdate(id).map(concept -> {
            if (concept == null || !canSee(caller, concept)) {
                throw ApiProblem.notFound("concept " + id);
            }
            if (!canChange(caller, concept)) {
                throw ApiProblem.forbidden("only the owner of concept " + id + " may change it");
            }
            if (ifMatch == null || ifMatch.isBlank()) {
                if (ifMatchRequired) {
                    throw ConceptProblems.preconditionRequired();
                }
            } else if (!ETags.matches(ifMatch, concept.version)) {
                throw ConceptProblems.preconditionFailed(concept.version);
            }
            return concept;
        });
    }
}
