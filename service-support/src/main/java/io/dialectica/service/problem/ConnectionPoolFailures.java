package io.dialectica.service.problem;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceThrowable;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;

/**
 * A Vert.x connection pool (e.g. the reactive PostgreSQL pool) that is saturated: its wait queue is full
 * ({@code max-wait-queue-size}) or a request waited too long for a connection. That is overload, not a bug:
 * 503 with {@code Retry-After}, so clients back off instead of piling up requests until the heap runs out.
 */
@Singleton
public class ConnectionPoolFailures implements FailureTranslator {

    @Override
    public ApiProblem translate(Throwable failure) {
        if (failure instanceof ConnectionPoolTooBusyException
                || (failure instanceof NoStackTraceThrowable && "Timeout".equals(failure.getMessage()))) {
            return new ApiProblem(503, "overloaded", "Service overloaded",
                    "no database connection became free in time; retry later", List.of(), Map.of("Retry-After", "1"));
        }
        return null;
    }
}
