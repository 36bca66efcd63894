package io.dialectica.thesis.rest;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.problem.FailureTranslator;
import io.vertx.pgclient.PgException;
import jakarta.inject.Singleton;
import org.hibernate.JDBCException;

/**
 * A constraint PostgreSQL enforced (a concurrent request won the race to it) is still the client's answer,
 * whether it arrives as the driver's PgException or as Hibernate's constraint exception (unique only).
 */
@Singleton
public class DatabaseConstraints implements FailureTranslator {

    @Override
    public ApiProblem translate(Throwable failure) {
        if (failure instanceof PgException pg) {
            return ApiProblem.ofConstraint(pg.getSqlState(), pg.getErrorMessage());
        }
        if (failure instanceof JDBCException jdbc && "23505".equals(jdbc.getSQLState())) {
            return ApiProblem.ofConstraint(jdbc.getSQLState(), jdbc.getMessage());
        }
        return null;
    }
}
