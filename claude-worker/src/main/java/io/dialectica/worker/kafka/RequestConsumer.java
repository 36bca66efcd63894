package io.dialectica.worker.kafka;

import io.dialectica.worker.claude.ClaudeClient;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.ratelimit.RateLimiter;
import io.dialectica.worker.service.JobProcessor;
import io.dialectica.worker.service.JobProcessor.Outcome;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request loop: one thread owns the KafkaConsumer (group {@code dialectica.worker.kafka.group}),
 * hands records to {@code concurrency} worker threads and commits by hand.
 * <ul>
 * <li><b>Backpressure.</b> When every slot is busy, or the shared rate limiter told this replica to
 * wait for more than a second, all assigned partitions are paused; the loop keeps polling (which
 * returns nothing for paused partitions) so the group membership stays alive. Nothing is buffered
 * beyond one poll ({@code max.poll.records} = concurrency).</li>
 * <li><b>Offsets.</b> Per partition, the committed offset is the lowest record not finished (result
 * published and acknowledged), so a crash mid-job re-delivers that job to another replica; it runs again
 * and thesis-service keeps the first result.</li>
 * <li><b>Retry.</b> A record whose processing failed on the worker's own infrastructure goes back into
 * the queue after {@code retry-later-delay}, its offset still uncommitted.</li>
 * </ul>
 */
@ApplicationScoped
public class RequestConsumer {

    private static final Logger LOG = Logger.getLogger(RequestConsumer.class);
    private static final Duration PAUSE_WHEN_LIMITED = Duration.ofSeconds(1);

    private final WorkerConfig config;
    private final JobProcessor processor;
    private final RateLimiter limiter;
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean running;
    private volatile long lastPollNanos = System.nanoTime();
    /** Not ready before the first poll (the SDK warm-up comes first; the group is joined by polling). */
    private volatile boolean polled;
    private volatile String lastError;
    private volatile boolean paused;
    private Thread thread;
    private ExecutorService workers;
    private KafkaConsumer<String, byte[]> consumer;

    private record Finished(ConsumerRecord<String, byte[]> record, Outcome outcome) {
    }

    private record Pending(ConsumerRecord<String, byte[]> record, long notBeforeNanos) {
    }

    private final ClaudeClient claude;

    public RequestConsumer(WorkerConfig config, JobProcessor processor, RateLimiter limiter, ClaudeClient claude) {
        this.claude = claude;
        this.config = config;
        this.processor = processor;
        this.limiter = limiter;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "claude-worker-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        thread = new Thread(this::loop, "claude-worker-consumer");
        thread.start();
    }

    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(40));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    /** Healthy = the loop polled within the last 10 s (a paused consumer polls too). */
    public boolean healthy() {
        return running && polled && System.nanoTime() - lastPollNanos < Duration.ofSeconds(10).toNanos();
    }

    public String lastError() {
        return lastError;
    }

    public boolean paused() {
        return paused;
    }

    public int busy() {
        return busy.get();
    }

    private KafkaConsumer<String, byte[]> createConsumer() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafka().group());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.concurrency());
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) config.kafka().maxPollInterval().toMillis());
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "claude-worker-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        props.putAll(config.kafka().consumer());
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void loop() {
        // before the first job: a cold SDK client sent its first granted requests together, late
        claude.warmUp(config.concurrency());
        while (running) {
            try {
                consumer = createConsumer();
                consumer.subscribe(List.of(config.kafka().requestsTopic()), new Rebalance());
                while (running) {
                    drainFinished();
                    dispatch();
                    applyBackpressure();
                    commit(false);
                    ConsumerRecords<String, byte[]> records = consumer.poll(config.kafka().pollTimeout());
                    lastPollNanos = System.nanoTime();
                    polled = true;
                    for (ConsumerRecord<String, byte[]> r : records) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        trackers.computeIfAbsent(tp, k -> new OffsetTracker()).seen(r.offset());
                        pending.add(new Pending(r, 0));
                    }
                }
            } catch (WakeupException e) {
                // stop() woke the poll
            } catch (RuntimeException e) {
                lastError = e.toString();
                LOG.errorf(e, "request consumer failed; restarting it in 2 s");
                sleepQuietly(Duration.ofSeconds(2));
            } finally {
                shutdownConsumer();
            }
        }
    }

    /** Graceful stop: no new jobs; wait (bounded) for running ones; commit what finished. */
    private void shutdownConsumer() {
        if (consumer == null) {
            return;
        }
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            pending.clear();
            while (busy.get() > 0 && System.nanoTime() < deadline) {
                drainFinished();
                sleepQuietly(Duration.ofMillis(50));
            }
            drainFinished();
            commit(true);
        } catch (RuntimeException e) {
            LOG.debugf("final commit failed: %s", e.getMessage());
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("consumer close: %s", e.getMessage());
            }
            trackers.clear();
            pending.clear();
            consumer = null;
        }
    }

    private void drainFinished() {
        Finished f;
        while ((f = finished.poll()) != null) {
            TopicPartition tp = new TopicPartition(f.record.topic(), f.record.partition());
            OffsetTracker tracker = trackers.get(tp);
            if (tracker == null) {
                continue; // partition revoked meanwhile: its new owner runs the record again
            }
            if (f.outcome == Outcome.RETRY) {
                pending.add(new Pending(f.record, System.nanoTime() + config.retryLaterDelay().toNanos()));
            } else {
                tracker.finished(f.record.offset());
            }
        }
    }

    private void dispatch() {
        int n = pending.size();
        for (int i = 0; i < n && busy.get() < config.concurrency(); i++) {
            Pending p = pending.poll();
            if (p.notBeforeNanos > System.nanoTime()) {
                pending.add(p);
                continue;
            }
            busy.incrementAndGet();
            workers.execute(() -> {
                Outcome outcome = Outcome.RETRY;
                try {
                    outcome = processor.handle(p.record);
                } catch (Throwable t) {
                    LOG.errorf(t, "job of %s-%d@%d crashed; it runs again", p.record.topic(), p.record.partition(),
                            p.record.offset());
                } finally {
                    finished.add(new Finished(p.record, outcome));
                    busy.decrementAndGet();
                }
            });
        }
    }

    private void applyBackpressure() {
        Set<TopicPartition> assigned = consumer.assignment();
        boolean full = busy.get() + pending.size() >= config.concurrency();
        boolean limited = limiter.localWaitHint().compareTo(PAUSE_WHEN_LIMITED) > 0;
        if (full || limited) {
            if (!paused || !consumer.paused().containsAll(assigned)) {
                consumer.pause(assigned);
                paused = true;
            }
        } else if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetTracker> e : trackers.entrySet()) {
            if (e.getValue().advanced()) {
                offsets.put(e.getKey(), new OffsetAndMetadata(e.getValue().committable()));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
            offsets.forEach((tp, o) -> {
                OffsetTracker t = trackers.get(tp);
                if (t != null) {
                    t.committed(o.offset());
                }
            });
        } else {
            consumer.commitAsync(offsets, (done, e) -> {
                if (e != null) {
                    LOG.debugf("offset commit failed (retried with the next one): %s", e.getMessage());
                    return;
                }
                done.forEach((tp, o) -> {
                    OffsetTracker t = trackers.get(tp);
                    if (t != null) {
                        t.committed(o.offset());
                    }
                });
            });
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drainFinished();
            try {
                commit(true);
            } catch (RuntimeException e) {
                LOG.debugf("commit on revoke failed: %s", e.getMessage());
            }
            Set<TopicPartition> revoked = new HashSet<>(partitions);
            trackers.keySet().removeAll(revoked);
            pending.removeIf(p -> revoked.contains(new TopicPartition(p.record.topic(), p.record.partition())));
            LOG.infof("partitions revoked: %s", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused && !partitions.isEmpty()) {
                consumer.pause(partitions);
            }
            LOG.infof("partitions assigned: %s", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            Set<TopicPartition> lost = new HashSet<>(partitions);
            trackers.keySet().removeAll(lost);
            pending.removeIf(p -> lost.contains(new TopicPartition(p.record.topic(), p.record.partition())));
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
