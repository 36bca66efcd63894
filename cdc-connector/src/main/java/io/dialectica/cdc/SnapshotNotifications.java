package io.dialectica.cdc;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.pipeline.notification.Notification;
import io.debezium.pipeline.notification.channels.NotificationChannel;
import org.jboss.logging.Logger;

import java.util.function.Consumer;

/**
 * Debezium's notification channel {@value #CHANNEL} (notification.enabled.channels): hands the incremental
 * snapshots' notifications (STARTED, IN_PROGRESS, TABLE_SCAN_COMPLETED, COMPLETED, ABORTED, ...) to
 * {@link IncrementalSnapshots}. Debezium instantiates it through the ServiceLoader
 * (META-INF/services/io.debezium.pipeline.notification.channels.NotificationChannel), hence the static hand-over.
 */
public final class SnapshotNotifications implements NotificationChannel {

    static final String CHANNEL = "dialectica";

    private static final Logger LOG = Logger.getLogger(SnapshotNotifications.class);
    private static volatile Consumer<Notification> listener;

    /** Where the notifications go (one listener per process: the application's {@link IncrementalSnapshots}). */
    static void listen(Consumer<Notification> consumer) {
        listener = consumer;
    }

    @Override
    public void init(CommonConnectorConfig config) {
        // nothing to set up
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public void send(Notification notification) {
        Consumer<Notification> current = listener;
        if (current == null) {
            return;
        }
        try {
            current.accept(notification);
        } catch (RuntimeException e) {
            // a status display must never stop the stream (this runs on Debezium's streaming thread)
            LOG.warnf(e, "could not record the notification %s", notification);
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
