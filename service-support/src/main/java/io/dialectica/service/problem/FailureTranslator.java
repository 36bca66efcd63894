package io.dialectica.service.problem;

/**
 * What a service-specific failure means for the client, e.g. a PostgreSQL constraint violation (409/422) or
 * an unreachable store (503). {@link ProblemMappers} asks every translator bean about each exception in the
 * cause chain of a failure no other mapper handled, so the failure may arrive wrapped (Mutiny, Hibernate).
 */
public interface FailureTranslator {

    /** @return the problem to answer with, or null when the failure is not of this translator's kind */
    ApiProblem translate(Throwable failure);
}
