package io.dialectica.concept.repository;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One transaction on one connection whose statements are <em>pipelined</em>: each is sent the moment it is
 * issued, without waiting for the answer to the one before (the Vert.x client keeps up to its pipelining
 * limit in flight; prepared statements are cached per connection). PostgreSQL runs them one after the other,
 * in order, so a write whose statements do not need each other's results costs one round trip however many
 * statements it has: {@code BEGIN}, the statements and {@code COMMIT} leave together.
 *
 * <p>Failure: when a statement fails, PostgreSQL refuses every later one of the transaction (25P02) and the
 * {@code COMMIT} behind them ends it as a rollback, so a failed write never commits anything. {@link #commit()}
 * and {@link #answers()} report the first failure in the order the statements were issued (the real cause,
 * not the 25P02s after it). A transaction that ends without {@link #commit()} (a check failed, an exception)
 * is rolled back before its connection goes back to the pool: a pooled connection never keeps an open
 * transaction.
 *
 * <p>Not the Vert.x {@code Transaction} API on purpose: that one sends a command only once the previous one
 * has answered (one round trip per statement).
 */
public final class PipelinedTransaction implements SqlRunner {

    private final SqlConnection connection;
    private final List<Future<?>> issued = new ArrayList<>();
    private boolean ended;

    private PipelinedTransaction(SqlConnection connection) {
        this.connection = connection;
    }

    /**
     * Runs {@code work} in a transaction on {@code connection} and gives the connection back (closes it) at the
     * end. {@code work} issues statements and returns the result; it may call {@link #commit()} itself, right
     * after its last statements, so that COMMIT is pipelined with them; otherwise the transaction is committed
     * after its result is ready.
     */
    static <T> Future<T> run(SqlConnection connection, Function<PipelinedTransaction, Future<T>> work) {
        PipelinedTransaction tx = new PipelinedTransaction(connection);
        tx.issued.add(connection.query("BEGIN").execute());
        Future<T> result;
        try {
            result = work.apply(tx);
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result
                .compose(value -> tx.ended ? Future.succeededFuture(value) : tx.commit().map(value),
                        failure -> tx.ended ? Future.<T>failedFuture(failure)
                                : tx.rollback().transform(ignored -> Future.<T>failedFuture(failure)))
                .onComplete(ignored -> connection.close());
    }

    /**
     * Sends the statement now; its answer comes in order, after those of the statements issued before it. Throws
     * (and sends nothing) if its parameters do not match: the transaction then ends in a ROLLBACK.
     */
    @Override
    public Future<RowSet<Row>> execute(Statement statement, Tuple parameters) {
        if (ended) {
            throw new IllegalStateException("the transaction has ended");
        }
        Future<RowSet<Row>> answer = connection.preparedQuery(statement.sql()).execute(statement.check(parameters));
        issued.add(answer);
        return answer;
    }

    /** Completes when everything issued so far has answered; fails with the first failure in issue order. */
    public Future<Void> answers() {
        return firstFailure(List.copyOf(issued));
    }

    /**
     * Sends COMMIT behind the statements issued so far (pipelined with them) and completes when all of them
     * and the COMMIT have answered: succeeded if the transaction committed, failed with the first failure
     * otherwise (then PostgreSQL has already rolled it back).
     */
    public Future<Void> commit() {
        ended = true;
        issued.add(connection.query("COMMIT").execute());
        return firstFailure(List.copyOf(issued));
    }

    private Future<Void> rollback() {
        ended = true;
        return connection.query("ROLLBACK").execute().mapEmpty();
    }

    private static Future<Void> firstFailure(List<Future<?>> answers) {
        return Future.join(answers).transform(ignored -> {
            for (Future<?> answer : answers) {
                if (answer.failed()) {
                    return Future.failedFuture(answer.cause());
                }
            }
            return Future.succeededFuture();
        });
    }
}
