package io.dialectica.testsupport;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads topics of the real Kafka from the beginning, in the background, for the tests to wait on; and
 * publishes JSON records as another service would (the producer is opened on first use). Needs
 * kafka-clients and Jackson on the test classpath (optional dependencies of this module).
 */
public final class TopicCollector implements AutoCloseable {

    public static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrap;
    private final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private KafkaProducer<String, byte[]> producer;

    public TopicCollector(String bootstrap, List<String> topics) {
        this.bootstrap = bootstrap;
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            consumer.partitionsFor(t, Duration.ofSeconds(30)).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(() -> {
            while (running) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            consumer.close();
        }, "test-topic-collector");
        thread.setDaemon(true);
        thread.start();
    }

    public List<ConsumerRecord<String, byte[]>> on(String topic, String key) {
        return records.stream().filter(r -> r.topic().equals(topic) && key.equals(r.key())).toList();
    }

    public <T> List<T> values(String topic, String key, Class<T> type) {
        return on(topic, key).stream().map(r -> read(r.value(), type)).toList();
    }

    /** Every value read from a topic so far, as text. */
    public List<String> allValues(String topic) {
        return records.stream().filter(r -> r.topic().equals(topic))
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    /** Waits until the records of (topic, key) satisfy the condition; returns them. */
    public <T> List<T> await(String topic, String key, Class<T> type, Predicate<List<T>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<T> v = values(topic, key, type);
            if (done.test(v)) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting on " + topic + " for " + key + "; have " + v);
            }
            sleep(50);
        }
    }

    /** {@link #await(String, String, Class, Predicate, Duration)} for at most 30 s. */
    public <T> List<T> await(String topic, String key, Class<T> type, Predicate<List<T>> done) {
        return await(topic, key, type, done, DEFAULT_TIMEOUT);
    }

    /** Waits until (topic, key) has a record; returns the raw records. */
    public List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, String key, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (on(topic, key).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting on " + topic + " for " + key);
            }
            sleep(50);
        }
        return on(topic, key);
    }

    /** Publishes a value (JSON, or bytes as they are) with headers, and waits for the ack. */
    public synchronized void publish(String topic, String key, Object value, Map<String, String> headers) {
        try {
            if (producer == null) {
                producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
            }
            byte[] bytes = value instanceof byte[] b ? b : MAPPER.writeValueAsBytes(value);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, bytes);
            headers.forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publishing to " + topic + " failed", e);
        }
    }

    public void publish(String topic, String key, Object value) {
        publish(topic, key, value, Map.of());
    }

    public static <T> T read(byte[] value, Class<T> type) {
        try {
            return MAPPER.readValue(value, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }
}
