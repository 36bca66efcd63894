package io.dialectica.concept.repository;

import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.rest.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The failure model of a pipelined transaction: whatever fails — a statement on the server, a parameter the
 * client refuses, a check in between — nothing of the transaction is committed, although statements (and the
 * COMMIT) were sent without waiting, and the connection goes back to the pool outside any transaction.
 */
@QuarkusTest
class PipelinedTransactionTest {

    @Inject
    ConceptStore store;

    @Inject
    Database database;

    @Test
    void aStatementFailingOnTheServerRollsBackWhatWasSentBeforeIt() {
        StoredConcept.Row row = row("server failure");
        Throwable failure = failure(tx -> {
            store.insertConcept(tx, row, "pipeline-test");
            tx.execute(Statement.of("select 1 / 0"), Tuple.tuple());
            store.insertConcept(tx, row("never reached"), "pipeline-test");
            return tx.commit();
        });
        // the first failure in issue order, not the 25P02 of the statement after it
        assertEquals("22012", assertInstanceOf(PgException.class, failure).getSqlState());
        assertEquals(0, rows());
        assertNoConnectionInATransaction();
    }

    @Test
    void aParameterTheClientCannotSendSendsNothingAndRollsBack() {
        StoredConcept.Row row = row("client failure");
        Throwable failure = failure(tx -> {
            store.insertConcept(tx, row, "pipeline-test");
            // Tuple.of(Object, Object...) spreads the array: two parameters become three
            tx.execute(ConceptStore.DELETE_RELATIONS, Tuple.of(row.id(), new UUID[] {UUID.randomUUID(), UUID.randomUUID()}));
            return tx.commit();
        });
        assertInstanceOf(IllegalArgumentException.class, failure);
        assertEquals(0, rows());
        assertNoConnectionInATransaction();
    }

    @Test
    void aCheckThatFailsAfterTheAnswersRollsBack() {
        StoredConcept.Row row = row("check failure");
        Throwable failure = failure(tx -> {
            store.insertConcept(tx, row, "pipeline-test");
            return tx.answers().compose(ignored -> {
                throw new IllegalStateException("refused after reading");
            });
        });
        assertEquals("refused after reading", failure.getMessage());
        assertEquals(0, rows());
        assertNoConnectionInATransaction();
    }

    @Test
    void whatCommitsIsEverythingThatWasSent() throws Exception {
        StoredConcept.Row first = row("committed");
        StoredConcept.Row second = row("committed");
        store.inTransaction(tx -> {
            store.insertConcept(tx, first, "pipeline-test");
            store.insertConcept(tx, second, "pipeline-test");
            return tx.commit();
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(2, rows());
        database.count("delete from concepts where owner = 'pipeline-test' returning 1");
    }

    private Throwable failure(Function<PipelinedTransaction, Future<Void>> work) {
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> store.inTransaction(work).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        return failed.getCause();
    }

    private long rows() {
        return database.count("select count(*) from concepts where owner = 'pipeline-test'");
    }

    private void assertNoConnectionInATransaction() {
        assertEquals(0, database.count("select count(*) from pg_stat_activity where datname = current_database()"
                + " and state like 'idle in transaction%'"));
    }

    private static StoredConcept.Row row(String name) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new StoredConcept.Row(UUID.randomUUID(), "pipeline-test", name, null, null, Visibility.PRIVATE, 0, 1,
                now, now);
    }
}
