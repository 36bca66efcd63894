package io.dialectica.gateway.proxy;

import io.dialectica.gateway.problem.GatewayProblem;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Turns a failure to get an answer from a backend into the gateway's problem: down (refused,
 * unreachable, breaker open) is 503, too slow is 504, anything else on the wire (connection reset
 * or closed mid-answer) is 502. Never a 500: none of these is the gateway's own bug.
 */
final class BackendFailures {

    private BackendFailures() {
    }

    static GatewayProblem toProblem(Throwable failure, BackendClient backend) {
        String name = backend.name();
        if (failure instanceof CircuitBreakerOpenException) {
            Duration delay = backend.config().circuitBreaker().delay();
            return new GatewayProblem(503, "backend-unavailable", "Service Unavailable",
                    name + " is failing; requests to it are suspended for a while")
                    .header("Retry-After", Long.toString(Math.max(1, (delay.toMillis() + 999) / 1000)));
        }
        if (causedBy(failure, ConnectException.class) || causedBy(failure, UnknownHostException.class)
                || causedBy(failure, NoRouteToHostException.class)) {
            return new GatewayProblem(503, "backend-unavailable", "Service Unavailable", name + " cannot be reached");
        }
        if (causedBy(failure, TimeoutException.class)
                || causedBy(failure, org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class)) {
            return new GatewayProblem(504, "backend-timeout", "Gateway Timeout", name + " did not answer in time");
        }
        return new GatewayProblem(502, "bad-gateway", "Bad Gateway", name + " failed to answer");
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
