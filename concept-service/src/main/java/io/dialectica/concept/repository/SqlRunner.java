package io.dialectica.concept.repository;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/** Where a statement runs: a {@link PipelinedTransaction}, or the pool (a read outside any transaction). */
@FunctionalInterface
public interface SqlRunner {

    /** Sends the statement (its parameters checked first: {@link Statement#check}). */
    Future<RowSet<Row>> execute(Statement statement, Tuple parameters);
}
