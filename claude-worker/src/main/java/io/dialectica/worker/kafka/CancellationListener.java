package io.dialectica.worker.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.service.JobRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Listens to {@code generation.progress} for CANCELLED events (published by thesis-service) and aborts
 * the job if it runs on this replica. Every replica needs every event, so each has its own consumer group
 * ({@code <cancel-group-prefix>-<random>}), starting at the latest offset; best effort (thesis-service
 * ignores results of cancelled jobs anyway).
 */
@ApplicationScoped
public class CancellationListener {

    private static final Logger LOG = Logger.getLogger(CancellationListener.class);

    private final WorkerConfig config;
    private final JobRegistry registry;
    private final io.dialectica.worker.batch.BatchRunner batches;
    private final ObjectMapper mapper;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public CancellationListener(WorkerConfig config, JobRegistry registry, ObjectMapper mapper,
            io.dialectica.worker.batch.BatchRunner batches) {
        this.batches = batches;
        this.config = config;
        this.registry = registry;
        this.mapper = mapper;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            running = true;
            thread = new Thread(this::loop, "claude-worker-cancellations");
            thread.setDaemon(true);
            thread.start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void loop() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafka().cancelGroupPrefix() + "-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(config.kafka().consumer());
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = c;
                c.subscribe(List.of(config.kafka().progressTopic()));
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                        handle(r);
                    }
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                LOG.warnf("cancellation listener failed (%s); restarting in 2 s", e.getMessage());
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        try {
            JobEvent event = mapper.readValue(r.value(), JobEvent.class);
            if (event.status() == JobStatus.CANCELLED && event.jobId() != null) {
                LOG.infof("job %s cancelled", event.jobId());
                registry.cancel(event.jobId());
                // a batch job: out of the queue, or its batch cancelled, or its result dropped (BatchRunner)
                batches.cancel(event.jobId());
            }
        } catch (Exception e) {
            LOG.debugf("unreadable progress event at %d: %s", r.offset(), e.getMessage());
        }
    }
}
