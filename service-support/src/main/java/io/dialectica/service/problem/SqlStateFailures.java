package io.dialectica.service.problem;

import jakarta.inject.Singleton;

import java.sql.SQLException;

/**
 * The SQLSTATE of a failure Hibernate (ORM or Reactive) wrapped, e.g. a deadlock arriving as
 * {@code PessimisticLockException} → {@code LockAcquisitionException} → {@link SQLException}: the same
 * answer as when the driver's own exception arrives (see {@link ApiProblem#ofConstraint}).
 */
@Singleton
public class SqlStateFailures implements FailureTranslator {

    @Override
    public ApiProblem translate(Throwable failure) {
        return failure instanceof SQLException sql ? ApiProblem.ofConstraint(sql.getSQLState(), sql.getMessage()) : null;
    }
}
