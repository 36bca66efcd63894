package io.dialectica.thesis.rest;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.FailureTranslator;
import io.vertx.pgclient.PgException;
import jakarta.inject.Singleton;

/**
 * A constraint PostgreSQL enforced (a concurrent request won the race to it) is still the client's answer.
 * The driver's PgException is handled here; wrapped by Hibernate it arrives as an SQLException, handled by
 * service-support's SqlStateFailures.
 */
@Singleton
public class DatabaseConstraints implements FailureTranslator {

    @Override
    public ApiProblem translate(Throwable failure) {
        return failure instanceof PgException pg ? ApiProblem.ofConstraint(pg.getSqlState(), pg.getErrorMessage()) : null;
    }
}
