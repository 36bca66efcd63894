package io.dialectica.concept.rest;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/** Direct reads of the test database, to check what a request did (or did not) write. */
@ApplicationScoped
public class Database {

    private static final String FINGERPRINT = """
            select concat_ws('|',
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from concepts t),
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from categories t),
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from concept_categories t),
              (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from concept_relations t))
            """;

    @Inject
    Pool pool;

    /** A digest of every row of the concept tables: equal digests, equal data. */
    public String fingerprint() {
        return single(FINGERPRINT).getString(0);
    }

    public long count(String sql) {
        return single(sql).getLong(0);
    }

    private Row single(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(10)).iterator().next();
    }
}
