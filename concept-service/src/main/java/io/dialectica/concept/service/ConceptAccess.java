package io.dialectica.concept.service;

import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;

import java.util.UUID;

/**
 * The ownership rules, in one place: everybody sees PUBLIC concepts, the owner and admins see
 * PRIVATE ones (to anyone else they do not exist: 404); only the owner or an admin changes a concept.
 */
public final class ConceptAccess {

    private ConceptAccess() {
    }

    public static boolean canSee(Caller caller, StoredConcept.Row concept) {
        return concept.visibility() == Visibility.PUBLIC || canChange(caller, concept);
    }

    public static boolean canChange(Caller caller, StoredConcept.Row concept) {
        return caller.admin() || concept.owner().equals(caller.subject());
    }

    /** The concept if it exists and the caller may see it, else 404. */
    public static StoredConcept visible(Caller caller, UUID id, StoredConcept concept) {
        if (concept == null || !canSee(caller, concept.row())) {
            throw ApiProblem.notFound("concept " + id);
        }
        return concept;
    }

    /**
     * Checks, on the concept as read under its row lock, that the caller may change it and that the If-Match
     * precondition holds. The lock makes the version check and the write one atomic step.
     */
    public static void checkChange(Caller caller, UUID id, StoredConcept concept, String ifMatch, boolean ifMatchRequired) {
        if (concept == null || !canSee(caller, concept.row())) {
            throw ApiProblem.notFound("concept " + id);
        }
        if (!canChange(caller, concept.row())) {
            throw ApiProblem.forbidden("only the owner of concept " + id + " may change it");
        }
        if (ifMatch == null || ifMatch.isBlank()) {
            if (ifMatchRequired) {
                throw ConceptProblems.preconditionRequired();
            }
        } else if (!ETags.matches(ifMatch, concept.row().version())) {
            throw ConceptProblems.preconditionFailed(concept.row().version());
        }
    }
}
