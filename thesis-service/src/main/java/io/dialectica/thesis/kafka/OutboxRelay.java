package io.dialectica.thesis.kafka;

import io.dialectica.thesis.config.ThesisConfig;
import io.dialectica.thesis.model.OutboxMessage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes the outbox to Kafka: unpublished rows in id order, each job's rows strictly in order, with
 * an idempotent producer and {@code acks=all}; a row is stamped {@code published_at} only after Kafka
 * acknowledged it, in the transaction that locked it (at-least-once: a crash between the ack and the
 * commit publishes the row again, and every consumer is idempotent by job id).
 *
 * <p>Several replicas run this side by side: the rows are claimed with {@code FOR UPDATE SKIP LOCKED},
 * and a row whose job still has an earlier unpublished row that this relay did not claim waits for the
 * next round, so two relays never reorder one job's records.
 *
 * <p>It wakes at once after a commit of this replica ({@link #wake()}), on the {@code thesis_outbox}
 * notification PostgreSQL sends at the commit of any replica's insert ({@link OutboxListener}), and
 * otherwise every {@code dialectica.thesis.outbox.poll-interval}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The header marking thesis-service's own records on the progress topic (its consumer skips them). */
    public static final String PRODUCER_HEADER = "dialectica-producer";
    public static final String PRODUCER = "thesis-service";

    private static final String CLAIM = """
            with batch as (
                select id from outbox where published_at is null order by id limit $1 for update skip locked
            )
            select o.id, o.job_id, o.channel, o.payload from outbox o join batch b on b.id = o.id
            where not exists (
                select 1 from outbox e
                where e.job_id = o.job_id and e.published_at is null and e.id < o.id
                  and e.id not in (select id from batch))
            order by o.id""";

    @Inject
    ThesisConfig config;

    @Inject
    Pool pool;

    private final Semaphore signal = new Semaphore(0);
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running;
    private volatile Instant lastSuccess = Instant.now();
    private volatile String lastFailure;
    private KafkaProducer<String, String> producer;
    private Thread thread;
    private Instant lastCleanup = Instant.EPOCH;

    void onStart(@Observes StartupEvent event) {
        if (!config.outbox().enabled()) {
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "thesis-service-outbox-" + UUID.randomUUID().toString().substring(0, 8));
        props.putAll(config.kafka().producer());
        producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        running = true;
        thread = new Thread(this::loop, "thesis-outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        signal.release();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Something was committed to the outbox: publish it now rather than at the next poll. */
    public void wake() {
        signal.release();
    }

    /** Rows published by this replica since start. */
    public long published() {
        return published.get();
    }

    /** When a relay round last completed without an error (readiness reports it), and the last error. */
    public Instant lastSuccess() {
        return lastSuccess;
    }

    public String lastFailure() {
        return lastFailure;
    }

    public boolean enabled() {
        return running;
    }

    private void loop() {
        long pollMillis = config.outbox().pollInterval().toMillis();
        long backoff = 200;
        while (running) {
            try {
                signal.tryAcquire(pollMillis, TimeUnit.MILLISECONDS);
                signal.drainPermits();
                if (!running) {
                    return;
                }
                int n;
                do {
                    n = VertxContextSupport.subscribeAndAwait(this::relayOnce);
                } while (n >= config.outbox().batchSize() && running);
                cleanup();
                lastSuccess = Instant.now();
                lastFailure = null;
                backoff = 200;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) {
                lastFailure = e.toString();
                LOG.warnf("outbox relay round failed (%s); the rows stay unpublished and are retried in %d ms",
                        e.toString(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, Math.max(pollMillis, 1000));
                signal.release(); // try again at once after the pause
            }
        }
    }

    /** One transaction: claim a batch, publish it, wait for every ack, stamp it. Returns the rows claimed. */
    Uni<Integer> relayOnce() {
        return pool.withTransaction(conn -> conn.preparedQuery(CLAIM).execute(Tuple.of(config.outbox().batchSize()))
                .chain(rows -> {
                    List<Long> ids = new ArrayList<>();
                    List<CompletableFuture<?>> acks = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getLong("id"));
                        acks.add(send(row.getString("channel"), row.getUUID("job_id"), row.getString("payload")));
                    }
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return Uni.createFrom().completionStage(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)))
                            .chain(() -> markPublished(conn, ids))
                            .invoke(() -> published.addAndGet(ids.size()))
                            .replaceWith(ids.size());
                }));
    }

    private Uni<Void> markPublished(SqlConnection conn, List<Long> ids) {
        return conn.preparedQuery("update outbox set published_at = now() where id = any($1)")
                .execute(Tuple.of(ids.toArray(Long[]::new))).replaceWithVoid();
    }

    private CompletableFuture<Void> send(String channel, UUID jobId, String payload) {
        String topic = switch (channel) {
            case OutboxMessage.REQUESTS -> config.kafka().requestsTopic();
            case OutboxMessage.PROGRESS -> config.kafka().progressTopic();
            default -> throw new IllegalStateException("unknown outbox channel " + channel);
        };
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, null, jobId.toString(), payload,
                List.of(new RecordHeader(PRODUCER_HEADER, PRODUCER.getBytes(StandardCharsets.UTF_8))));
        CompletableFuture<Void> ack = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    ack.completeExceptionally(e);
                } else {
                    ack.complete(null);
                }
            });
        } catch (RuntimeException e) {
            ack.completeExceptionally(e);
        }
        return ack;
    }

    /** Published rows older than the retention are deleted (at most once a minute). */
    private void cleanup() throws Throwable {
        Instant now = Instant.now();
        if (Duration.between(lastCleanup, now).toSeconds() < 60) {
            return;
        }
        lastCleanup = now;
        Instant before = now.minus(config.outbox().retention());
        Integer deleted = VertxContextSupport.subscribeAndAwait(() -> pool
                .preparedQuery("delete from outbox where published_at is not null and published_at < $1")
                .execute(Tuple.of(before.atOffset(java.time.ZoneOffset.UTC))).map(r -> r.rowCount()));
        if (deleted != null && deleted > 0) {
            LOG.debugf("deleted %d published outbox rows older than %s", deleted, config.outbox().retention());
        }
    }
}
