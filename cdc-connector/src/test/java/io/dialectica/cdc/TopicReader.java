package io.dialectica.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.ChangeEnvelope;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Reads both change topics from the beginning in a background thread, as a consumer would. */
final class TopicReader implements AutoCloseable {

    record Received(String topic, int partition, long offset, String key, ChangeEnvelope envelope) {
    }

    private final List<Received> received = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    TopicReader(ObjectMapper mapper, String... topics) {
        thread = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, CdcTestStack.KAFKA,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new StringDeserializer())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : topics) {
                    List<PartitionInfo> infos = null;
                    long deadline = System.currentTimeMillis() + 30_000;
                    while ((infos == null || infos.isEmpty()) && System.currentTimeMillis() < deadline) {
                        infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                        if (infos == null || infos.isEmpty()) {
                            Thread.sleep(200);
                        }
                    }
                    if (infos == null || infos.isEmpty()) {
                        throw new IllegalStateException("topic " + topic + " does not exist");
                    }
                    infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (!closed) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        ChangeEnvelope envelope = mapper.readValue(r.value(), ChangeEnvelope.class);
                        synchronized (received) {
                            received.add(new Received(r.topic(), r.partition(), r.offset(), r.key(), envelope));
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure = new IllegalStateException("reading the change topics failed", e);
            }
        }, "topic-reader");
        thread.setDaemon(true);
        thread.start();
    }

    List<Received> all() {
        if (failure != null) {
            throw failure;
        }
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits until the received records satisfy the condition; returns them. */
    List<Received> await(Duration timeout, String what, Predicate<List<Received>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Received> now = all();
            if (condition.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; received "
                        + now.size() + " records");
            }
            Thread.sleep(25);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(5000);
    }
}
