package io.dialectica.search.progress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.search.config.SearchConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The notification path between replicas: after its progress documents were written, a projector publishes the
 * positions on a Redis pub/sub channel ({@code <cache prefix>progress}); every replica listens and feeds
 * {@link StoreProgress}, so waiting token readers are released without polling. A lost message (Redis down,
 * reconnecting) only delays a read: {@link StoreProgress} then reads the progress documents from the index.
 *
 * <p>Message: {@code {"w":"<writer>","p":[["<topic>",<partition>,<partitions>,<lsn>],...]}}.
 */
@ApplicationScoped
public class ProgressChannel {

    private static final Logger LOG = Logger.getLogger(ProgressChannel.class);

    private final ReactiveRedisDataSource redis;
    private final StoreProgress view;
    private final ObjectMapper mapper;
    private final boolean enabled;
    private final String channel;
    private final Duration timeout;
    /** This replica, in progress documents and messages. */
    private final String writer;
    private volatile boolean running;
    private volatile boolean subscribed;
    private volatile Cancellable subscription;

    public ProgressChannel(ReactiveRedisDataSource redis, StoreProgress view, ObjectMapper mapper, SearchConfig config) {
        this.redis = redis;
        this.view = view;
        this.mapper = mapper;
        this.enabled = config.progress().notifications();
        this.channel = config.progress().channel().orElse(config.cache().prefix() + "progress");
        this.timeout = config.cache().timeout();
        String host = System.getenv().getOrDefault("HOSTNAME", "local");
        this.writer = host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String writer() {
        return writer;
    }

    public String channel() {
        return channel;
    }

    public boolean subscribed() {
        return subscribed;
    }

    void onStart(@Observes StartupEvent event) {
        if (enabled) {
            running = true;
            subscribe();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /** Announces positions this replica has written to the index. Never blocks, never throws. */
    public void publish(Collection<ProgressDocs.Position> positions) {
        if (!enabled || positions.isEmpty()) {
            return;
        }
        ObjectNode message = mapper.createObjectNode();
        message.put("w", writer);
        ArrayNode list = message.putArray("p");
        for (ProgressDocs.Position p : positions) {
            list.addArray().add(p.topic()).add(p.partition()).add(p.partitions()).add(p.lsn());
        }
        try {
            redis.pubsub(String.class).publish(channel, mapper.writeValueAsString(message))
                    .ifNoItem().after(timeout).fail()
                    .subscribe().with(ok -> {
                    }, failure -> LOG.debugf("progress notification not sent: %s", failure.toString()));
        } catch (Exception e) {
            LOG.debugf("progress notification not sent: %s", e.toString());
        }
    }

    private void subscribe() {
        if (!running) {
            return;
        }
        try {
            subscription = redis.pubsub(String.class).subscribe(channel)
                    .onSubscription().invoke(s -> subscribed = true)
                    .subscribe().with(this::onMessage, failure -> {
                        subscribed = false;
                        LOG.debugf("progress channel lost (%s); subscribing again", failure.toString());
                        later(this::subscribe);
                    }, () -> {
                        subscribed = false;
                        later(this::subscribe);
                    });
        } catch (RuntimeException e) {
            subscribed = false;
            later(this::subscribe);
        }
    }

    private void later(Runnable action) {
        if (running) {
            Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofSeconds(1))
                    .subscribe().with(ignored -> action.run());
        }
    }

    void onMessage(String text) {
        try {
            JsonNode message = mapper.readTree(text);
            List<ProgressDocs.Position> positions = new ArrayList<>();
            for (JsonNode p : message.path("p")) {
                positions.add(new ProgressDocs.Position(p.path(0).asText(), p.path(1).asInt(), p.path(2).asInt(),
                        p.path(3).asLong()));
            }
            view.observeRemote(positions);
        } catch (Exception e) {
            LOG.debugf("unreadable progress notification skipped: %s", e.toString());
        }
    }
}
