package io.dialectica.concept.rest;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.FailureTranslator;
import io.vertx.pgclient.PgException;
import jakarta.inject.Singleton;

/** A constraint PostgreSQL enforced (a concurrent request won the race to it) is still the client's answer. */
@Singleton
public class DatabaseConstraints implements FailureTranslator {

    @Override
    public ApiProblem translate(Throwable failure) {
        return failure instanceof PgException pg ? ApiProblem.ofConstraint(pg.getSqlState(), pg.getErrorMessage()) : null;
    }
}
