package io.dialectica.concept.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reactive PostgreSQL pool as Quarkus configures it, plus the two limits Quarkus has no property for: a
 * bounded wait queue and a connection timeout. Under overload the service then sheds load (503 +
 * Retry-After) instead of queueing every request until the heap is full.
 */
@Singleton
public class BoundedPgPool implements PgPoolCreator {

    @Inject
    DatasourceLimits limits;

    @Override
    public Pool create(Input input) {
        PoolOptions options = input.poolOptions()
                .setMaxWaitQueueSize(limits.maxWaitQueueSize())
                .setConnectionTimeout((int) limits.connectionTimeout().toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        List<SqlConnectOptions> servers = new ArrayList<>(input.pgConnectOptionsList());
        return PgBuilder.pool().with(options).connectingTo(servers).using(input.vertx()).build();
    }
}
