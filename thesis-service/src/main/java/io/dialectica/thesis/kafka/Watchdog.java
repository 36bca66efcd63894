package io.dialectica.thesis.kafka;

import io.dialectica.thesis.config.ThesisConfig;
import io.dialectica.thesis.service.JobTransitions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Nothing stays QUEUED or RUNNING forever: a RUNNING job without any event for
 * {@code dialectica.thesis.watchdog.stall-timeout} (a worker died and Kafka has nobody to redeliver
 * to), or a QUEUED one for {@code queued-timeout} (its request was never picked up) is dispatched again through the outbox, and FAILS once it was
 * dispatched {@code max-dispatches} times. Safe with several replicas (rows claimed with SKIP LOCKED).
 */
@ApplicationScoped
public class Watchdog {

    private static final Logger LOG = Logger.getLogger(Watchdog.class);
    private static final int BATCH = 100;

    @Inject
    ThesisConfig config;

    @Inject
    JobTransitions transitions;

    @Inject
    OutboxRelay relay;

    private ScheduledExecutorService executor;

    void onStart(@Observes StartupEvent event) {
        if (!config.watchdog().enabled()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thesis-watchdog");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, config.watchdog().interval().toMillis());
        executor.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** One sweep; returns the jobs changed. */
    public int sweep() {
        try {
            int total = 0;
            int n;
            do {
                Instant now = Instant.now();
                n = VertxContextSupport.subscribeAndAwait(() -> transitions.sweep(now, config.watchdog().stallTimeout(),
                        config.watchdog().batchStallTimeout(), config.watchdog().queuedTimeout(), config.watchdog().maxDispatches(), BATCH));
                total += n;
                if (n > 0) {
                    relay.wake();
                }
            } while (n >= BATCH);
            return total;
        } catch (Throwable e) {
            LOG.warnf("watchdog sweep failed (%s); next one in %s", e.toString(), config.watchdog().interval());
            return 0;
        }
    }
}
