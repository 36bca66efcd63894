package io.dialectica.concept.rest;

import io.dialectica.testsupport.BadInputs;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/** Direct reads of the test database, to check what a request did (or did not) write. */
@ApplicationScoped
public class Database {

    @Inject
    Pool pool;

    /** A digest of every row of the concept tables: equal digests, equal data. */
    public String fingerprint() {
        return single(BadInputs.FINGERPRINT_SQL).getString(0);
    }

    public long count(String sql) {
        return single(sql).getLong(0);
    }

    public String text(String sql) {
        return single(sql).getString(0);
    }

    private Row single(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(10)).iterator().next();
    }
}
