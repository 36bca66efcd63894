package io.dialectica.service.reactive;

import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A {@code Uni}-returning method (or every such method of a class) whose work is not cancelled when its
 * caller goes away, e.g. when an HTTP client disconnects or times out in the middle of a request.
 *
 * <p>Why: Quarkus REST cancels a resource method's {@code Uni} when the client closes the connection.
 * Cancelling a Hibernate Reactive session or transaction half-way leaks its pooled connection with a
 * live transaction (quarkusio/quarkus#51576, fixed only in Hibernate Reactive 4.2; seen here as
 * "Connection being closed with a live transaction" and "HR000069" until the pool ran dry under load).
 * A write that has started must end in a commit or a rollback, whatever the client does.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RunsToCompletion {
}
