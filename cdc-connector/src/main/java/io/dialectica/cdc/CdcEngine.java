package io.dialectica.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Runs the Debezium engine: builds its configuration, starts it at boot, restarts it with back-off after a
 * failure, creates the change topics, and probes Kafka for readiness.
 */
@ApplicationScoped
public class CdcEngine {

    private static final Logger LOG = Logger.getLogger(CdcEngine.class);
    static final String HEARTBEAT_TABLE = "cdc_heartbeat";

    private final CdcConfig config;
    private final ObjectMapper mapper;
    private final CdcMetrics metrics;

    private ExecutorService engineThread;
    private ScheduledExecutorService timer;
    private Admin admin;

    private volatile boolean wanted;
    private volatile boolean running;
    private volatile boolean kafkaReachable;
    private volatile String lastError;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private volatile Publisher publisher;
    private volatile ChangeHandler handler;
    private volatile ScheduledFuture<?> restart;
    private volatile Duration backoff;
    private final AtomicLong generation = new AtomicLong();

    public CdcEngine(CdcConfig config, ObjectMapper mapper, CdcMetrics metrics) {
        this.config = config;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cdc-timer"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "cdc-connector-admin-" + config.slotName(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
        timer.scheduleWithFixedDelay(this::probeKafka, 0, 5, TimeUnit.SECONDS);
        long tick = Math.max(20, config.watermarkInterval().toMillis() / 2);
        timer.scheduleWithFixedDelay(() -> {
            ChangeHandler current = handler;
            try {
                if (current != null) {
                    current.watermarkIfDue();
                }
            } catch (RuntimeException e) {
                LOG.debug("watermark not sent", e); // a closed producer: the handler fails and the engine restarts
            }
        }, tick, tick, TimeUnit.MILLISECONDS);
        if (config.enabled()) {
            start();
        } else {
            LOG.info("dialectica.cdc.enabled=false: the engine is not started");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }

    /** Starts the engine (no-op when it is already wanted). */
    public synchronized void start() {
        if (wanted) {
            return;
        }
        wanted = true;
        backoff = config.restartBackoff();
        launch();
    }

    /** Stops the engine cleanly: Debezium commits the offsets of everything marked processed. */
    public synchronized void stop() {
        wanted = false;
        if (restart != null) {
            restart.cancel(false);
            restart = null;
        }
        closeEngine();
    }

    /**
     * Fault injection for tests: closes the Kafka producer under the running engine, as a lost broker would
     * end it. The engine fails, restarts from its committed offsets and publishes again.
     */
    void abortProducer() {
        Publisher current = publisher;
        if (current != null) {
            current.abort();
        }
    }

    public boolean isRunning() {
        return running;
    }

    public boolean isKafkaReachable() {
        return kafkaReachable;
    }

    public String lastError() {
        return lastError;
    }

    private synchronized void launch() {
        if (!wanted) {
            return;
        }
        long myGeneration = generation.incrementAndGet();
        try {
            ensureTopics();
            publisher = new Publisher(config, mapper);
            handler = new ChangeHandler(new TransactionAssembler(HEARTBEAT_TABLE, config.signalTable()),
                    new Envelopes(config.topics().conceptChanges(), config.topics().categoryChanges()), publisher, metrics,
                    config.watermarkInterval());
            engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(debeziumProperties())
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void taskStarted() {
                            running = true;
                            backoff = config.restartBackoff();
                            LOG.infof("capturing %s through slot %s", config.database().name(), config.slotName());
                        }

                        @Override
                        public void taskStopped() {
                            running = false;
                        }
                    })
                    .using((success, message, error) -> engineCompleted(myGeneration, success, message, error))
                    .notifying(handler)
                    .build();
            engineThread = Executors.newSingleThreadExecutor(r -> daemon(r, "cdc-engine"));
            engineThread.execute(engine);
        } catch (RuntimeException e) {
            engineCompleted(myGeneration, false, "start failed: " + e.getMessage(), e);
        }
    }

    /**
     * Debezium's completion callback, on the engine thread. It never takes this object's lock: stop() holds it
     * while it waits for the engine thread to end.
     */
    private void engineCompleted(long ofGeneration, boolean success, String message, Throwable error) {
        running = false;
        if (ofGeneration != generation.get()) {
            return; // closed on purpose (stop or restart)
        }
        if (!success || error != null) {
            lastError = message;
            LOG.errorf(error, "the engine stopped: %s", message);
        } else {
            LOG.infof("the engine stopped: %s", message);
        }
        if (!wanted) {
            return;
        }
        Duration delay = backoff;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(config.restartBackoffMax()) > 0 ? config.restartBackoffMax() : doubled;
        LOG.infof("restarting the engine in %d ms", delay.toMillis());
        restart = timer.schedule(() -> {
            synchronized (CdcEngine.this) {
                if (ofGeneration == generation.get() && wanted) {
                    closeEngine();
                    launch();
                }
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void closeEngine() {
        generation.incrementAndGet(); // the completion callback of the engine being closed is not a failure
        handler = null;
        DebeziumEngine<RecordChangeEvent<SourceRecord>> current = engine;
        engine = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing the engine failed", e);
            }
        }
        if (engineThread != null) {
            engineThread.shutdown();
            try {
                if (!engineThread.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("the engine thread did not end within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            engineThread = null;
        }
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
        running = false;
    }

    Properties debeziumProperties() {
        CdcConfig.Database db = config.database();
        String schema = config.schema();
        Properties p = new Properties();
        p.setProperty("name", "dialectica-cdc-" + config.slotName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", config.engineName());

        // offsets: Kafka Connect's offset store in a compacted topic, flushed after every batch
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        p.setProperty("offset.storage.topic", config.kafka().offsetsTopic());
        p.setProperty("offset.storage.partitions", "1");
        p.setProperty("offset.storage.replication.factor", Short.toString(config.kafka().replicationFactor()));
        p.setProperty("bootstrap.servers", config.kafka().bootstrapServers());
        p.setProperty("offset.flush.interval.ms", "0");
        p.setProperty("offset.flush.timeout.ms", "10000");

        p.setProperty("database.hostname", db.host());
        p.setProperty("database.port", Integer.toString(db.port()));
        p.setProperty("database.dbname", db.name());
        p.setProperty("database.user", db.user());
        p.setProperty("database.password", db.password());

        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.publicationName());
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", List.of("concepts", "categories", "concept_categories", "concept_relations",
                HEARTBEAT_TABLE).stream().map(t -> schema + "." + t).collect(Collectors.joining(",")));
        p.setProperty("provide.transaction.metadata", "true");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("snapshot.mode", config.snapshotMode());
        p.setProperty("decimal.handling.mode", "double");

        p.setProperty("heartbeat.interval.ms", Long.toString(config.heartbeatInterval().toMillis()));
        p.setProperty("heartbeat.action.query", "INSERT INTO " + schema + "." + HEARTBEAT_TABLE
                + " (slot_name, beat_at) VALUES ('" + config.slotName().replace("'", "''")
                + "', now()) ON CONFLICT (slot_name) DO UPDATE SET beat_at = excluded.beat_at");

        // incremental snapshots (README, "Incremental snapshots"): execute-snapshot signals and the chunk watermarks
        // travel through the signalling table, which is in the publication (V5); Debezium adds it to the captured
        // tables itself, and the assembler never publishes its rows
        p.setProperty("signal.data.collection", schema + "." + config.signalTable());
        p.setProperty("signal.enabled.channels", "source");
        p.setProperty("incremental.snapshot.chunk.size", Integer.toString(config.incrementalSnapshot().chunkSize()));
        p.setProperty("incremental.snapshot.watermarking.strategy", "insert_insert");
        p.setProperty("notification.enabled.channels", SnapshotNotifications.CHANNEL);

        p.setProperty("poll.interval.ms", Long.toString(config.pollInterval().toMillis()));
        p.setProperty("max.batch.size", Integer.toString(config.maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(config.maxQueueSize()));
        // the handler's failure restarts the engine from committed offsets; no retries inside Debezium
        p.setProperty("errors.max.retries", "0");
        config.debezium().forEach(p::setProperty);
        return p;
    }

    private void ensureTopics() {
        Set<String> wantedTopics = Set.of(config.topics().conceptChanges(), config.topics().categoryChanges());
        try {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = wantedTopics.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, config.kafka().partitions(), config.kafka().replicationFactor()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(10, TimeUnit.SECONDS);
                LOG.infof("created %s", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the change topics: " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer in 10 s while creating the change topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void probeKafka() {
        try {
            kafkaReachable = !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            kafkaReachable = false;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
