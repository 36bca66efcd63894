package io.dialectica.thesis.kafka;

import io.dialectica.thesis.config.ThesisConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * LISTEN {@code thesis_outbox}: PostgreSQL notifies at the commit of every outbox insert (trigger in
 * V1), from any replica, so every relay wakes at once. A lost connection only costs latency: it
 * reconnects, and the relay polls meanwhile.
 */
@ApplicationScoped
public class OutboxListener {

    private static final Logger LOG = Logger.getLogger(OutboxListener.class);
    static final String CHANNEL = "thesis_outbox";

    @Inject
    Vertx vertx;

    @Inject
    OutboxRelay relay;

    @Inject
    ThesisConfig config;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    private PgSubscriber subscriber;

    void onStart(@Observes StartupEvent event) {
        if (!config.outbox().enabled()) {
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:") ? url.substring(15) : url);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 2000L);
        subscriber.channel(CHANNEL).handler(payload -> relay.wake());
        subscriber.closeHandler(v -> LOG.debug("outbox notification connection closed"));
        subscriber.connect().onFailure(e -> LOG.warnf(
                "LISTEN %s failed (%s); the outbox relay polls every %s instead", CHANNEL, e.getMessage(),
                config.outbox().pollInterval()));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
