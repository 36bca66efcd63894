package io.dialectica.gateway.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads every record of the job progress topic and hands it to {@link JobSubscriptions}.
 *
 * <p><b>Every replica reads everything.</b> A client's WebSocket lives on one gateway replica, chosen by
 * the load balancer, and the events of its job may land on any partition. With one shared consumer group
 * the partitions would be split between the replicas and each replica would see only some jobs' events;
 * so each replica consumes with a group of its own: {@code <group-prefix>-<host name>-<random>}. The
 * random part keeps two processes on one host (and a restarted container that keeps its pod name) apart.
 *
 * <p><b>From the end, without commits.</b> {@code auto.offset.reset=latest} and no offset commits: a
 * replica that starts has no sockets yet, so older events would go to nobody, and the group id is new on
 * every start, so a committed offset would never be read again (an empty group without offsets is dropped
 * by the broker). A subscriber gets the job's current state from thesis-service when it subscribes, so
 * nothing is lost by starting at the end; events published while a replica restarts reach its clients as
 * the current state when they reconnect.
 */
@ApplicationScoped
public class ProgressConsumer {

    private static final Logger LOG = Logger.getLogger(ProgressConsumer.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final GatewayConfig.Progress config;
    private final JobSubscriptions subscriptions;
    private final ObjectMapper mapper;
    private final Counter invalid;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final String groupId;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile String lastError;
    private volatile long received;

    public ProgressConsumer(GatewayConfig config, JobSubscriptions subscriptions, ObjectMapper mapper, MeterRegistry registry) {
        this.config = config.progress();
        this.subscriptions = subscriptions;
        this.mapper = mapper;
        this.groupId = config.progress().groupPrefix() + "-" + hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.invalid = Counter.builder("gateway.progress.records.invalid")
                .description("Progress records that are not a job event (skipped)").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        Thread t = new Thread(this::run, "gateway-progress-consumer");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    synchronized void stop() {
        running = false;
        Thread t = thread;
        if (t == null) {
            return;
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    public String groupId() {
        return groupId;
    }

    public String topic() {
        return config.topic();
    }

    /** Partitions this replica reads (all of the topic's, once the group has formed). */
    public Set<TopicPartition> assignment() {
        return Set.copyOf(assigned);
    }

    public String lastError() {
        return lastError;
    }

    public long received() {
        return received;
    }

    private void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // a replica that dies leaves its group quickly; nobody waits for its partitions anyway
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            consumer = c;
            c.subscribe(List.of(config.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // resolve "latest" now, so every record produced after this point is read
                    partitions.forEach(c::position);
                    assigned.addAll(partitions);
                    LOG.infof("job progress: reading %d partition(s) of %s as group %s", assigned.size(), config.topic(), groupId);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }
            });
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                        handle(record);
                    }
                    lastError = null;
                } catch (WakeupException e) {
                    // stop() asked
                } catch (RuntimeException e) {
                    lastError = e.toString();
                    LOG.warnf("job progress: polling %s failed: %s", config.topic(), e.toString());
                    pause();
                }
            }
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.errorf(e, "job progress consumer stopped; live job events are not delivered");
        } finally {
            consumer = null;
            assigned.clear();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        received++;
        if (record.value() == null) {
            invalid.increment();
            return;
        }
        String json = new String(record.value(), StandardCharsets.UTF_8);
        JobEvent event;
        try {
            event = mapper.readValue(json, JobEvent.class);
        } catch (Exception e) {
            event = null;
        }
        if (event == null || event.jobId() == null || event.type() == null) {
            invalid.increment();
            LOG.debugf("job progress: skipped a record that is not a job event (%s-%d@%d)",
                    record.topic(), record.partition(), record.offset());
            return;
        }
        try {
            subscriptions.dispatch(event, json);
        } catch (RuntimeException e) {
            LOG.errorf(e, "job progress: delivering an event of job %s failed", event.jobId());
        }
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
