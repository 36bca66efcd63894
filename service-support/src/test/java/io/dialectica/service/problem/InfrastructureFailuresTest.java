package io.dialectica.service.problem;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceThrowable;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Failures of the database or its pool that mean "retry", not "bug": never a 500. */
class InfrastructureFailuresTest {

    private final SqlStateFailures sqlStates = new SqlStateFailures();
    private final ConnectionPoolFailures pools = new ConnectionPoolFailures();

    @Test
    void deadlocksAndSerializationFailuresAreConflictsToRetry() {
        assertEquals(409, sqlStates.translate(new SQLException("deadlock detected", "40P01")).status());
        assertEquals(409, sqlStates.translate(new SQLException("could not serialize", "40001")).status());
        assertEquals(409, sqlStates.translate(new SQLException("duplicate key", "23505")).status());
        assertEquals(422, sqlStates.translate(new SQLException("value too long", "22001")).status());
        assertNull(sqlStates.translate(new SQLException("connection refused", "08001")));
        assertNull(sqlStates.translate(new IllegalStateException("not SQL")));
    }

    @Test
    void aSaturatedPoolAnswers503WithRetryAfter() {
        ApiProblem busy = pools.translate(new ConnectionPoolTooBusyException("queue full"));
        assertEquals(503, busy.status());
        assertEquals("overloaded", busy.slug());
        assertEquals(Map.of("Retry-After", "1"), busy.headers());
        assertEquals(503, pools.translate(new NoStackTraceThrowable("Timeout")).status());
        assertNull(pools.translate(new NoStackTraceThrowable("Transaction already complete")));
        assertNull(pools.translate(new IllegalStateException("Timeout")));
    }
}
