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
        return canSee(caller, concept.owner(), concept.visibility());
    }

    public static boolean canSee(Caller caller, String owner, Visibility visibility) {
        return visibility == Visibility.PUBLIC || canChange(caller, owner);
    }

    public static boolean canChange(Caller caller, StoredConcept.Row concept) {
        return canChange(caller, concept.owner());
    }

    public static boolean canChange(Caller caller, String owner) {
        return caller.admin() || owner.equals(caller.subject());
    }

    /**
     * The history of a concept and its past versions: visible as the concept is while it exists; once deleted, to its
     * owner (as the history last recorded it) and admins only — to anyone else it does not exist (404).
     *
     * @param owner        the concept's owner, or null when it is gone (or never existed)
     * @param visibility   the concept's visibility (when it exists)
     * @param historyOwner the owner its last recorded version names, or null when nothing is recorded
     */
    public static boolean canReadHistory(Caller caller, String owner, Visibility visibility, String historyOwner) {
        if (owner != null) {
            return canSee(caller, owner, visibility);
        }
        return historyOwner != null && canChange(caller, historyOwner);
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
