import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka positions that go with a backup (./dialectica backup / restore, deploy/local/backup/backup.sh).
 *
 * <pre>
 *   java -cp &lt;kafka-clients&gt; KafkaPositions.java dump &lt;dir&gt;     connector offsets + consumer group offsets
 *   java -cp &lt;kafka-clients&gt; KafkaPositions.java restore &lt;dir&gt;  connector offsets into a fresh Kafka
 * </pre>
 *
 * <p>{@code connector-offsets.tsv}: the latest record per key of cdc-connector's offset topic (Kafka Connect's
 * offset store: key = engine + server, value = the LSN it has published up to), base64 so any byte survives.
 * Restoring it into an empty Kafka lets the connector resume streaming instead of snapshotting every table again.
 * A restored PostgreSQL has no replication slot (a base backup holds none): the restore creates one before any
 * write and passes its LSN as {@code RESUME_LSN} (a number), which replaces the offset's {@code lsn},
 * {@code lsn_commit} and {@code lsn_proc} — Debezium refuses an offset older than its slot, and nothing was
 * committed between the backup's end and the slot. {@code consumer-groups.tsv}: the committed offsets of every consumer group, kept
 * for the record only — the topics of an emptied Kafka start again at offset 0, and the projections decide what
 * they have applied from the positions stored in Neo4j and the index, not from Kafka offsets.
 */
public class KafkaPositions {

    static final String BOOTSTRAP = env("KAFKA_BOOTSTRAP", "127.0.0.1:19092");
    static final String OFFSETS_TOPIC = env("CDC_OFFSETS_TOPIC", "dialectica.cdc-offsets");

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("dump", "restore").contains(args[0])) {
            System.err.println("usage: KafkaPositions dump|restore <backup dir>");
            System.exit(64);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("dump")) {
            dump(dir);
        } else {
            restore(dir);
        }
    }

    static void dump(Path dir) throws Exception {
        Map<String, String> latest = new LinkedHashMap<>();
        try (Admin admin = admin()) {
            boolean exists = admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(OFFSETS_TOPIC);
            if (exists) {
                latest = readCompacted(admin);
            }
            List<String> groups = new ArrayList<>();
            Collection<GroupListing> listings = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()
                    .get(30, TimeUnit.SECONDS);
            for (GroupListing g : listings) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(g.groupId())
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                new TreeMap<String, Long>(offsets.entrySet().stream().filter(e -> e.getValue() != null)
                        .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(), e -> e.getValue().offset())))
                        .forEach((tp, offset) -> groups.add(g.groupId() + "\t" + tp + "\t" + offset));
            }
            Files.write(dir.resolve("consumer-groups.tsv"), groups);
        }
        List<String> lines = new ArrayList<>();
        latest.forEach((k, v) -> lines.add(b64(k) + "\t" + b64(v)));
        Files.write(dir.resolve("connector-offsets.tsv"), lines);
        System.out.println("kafka positions: " + latest.size() + " connector offset record(s); "
                + latest.values().stream().findFirst().orElse("(none: the connector has not committed an offset)"));
    }

    /** Every record of the one-partition offset topic up to its end; the last value per key wins (compaction). */
    static Map<String, String> readCompacted(Admin admin) {
        Map<String, String> latest = new LinkedHashMap<>();
        TopicPartition tp = new TopicPartition(OFFSETS_TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null) {
                        continue;
                    }
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), r.value());
                    }
                }
            }
            if (consumer.position(tp) < end) {
                throw new IllegalStateException("could not read " + OFFSETS_TOPIC + " to its end within 30 s");
            }
        }
        return latest;
    }

    static void restore(Path dir) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("connector-offsets.tsv"));
        try (Admin admin = admin()) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(OFFSETS_TOPIC)) {
                // what Kafka Connect's offset store requires: one partition, compacted
                admin.createTopics(List.of(new NewTopic(OFFSETS_TOPIC, 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            String resume = System.getenv("RESUME_LSN");
            for (String line : lines) {
                String[] kv = line.split("\t", 2);
                String value = unb64(kv[1]);
                if (resume != null && !resume.isBlank()) {
                    value = value.replaceAll("\"(lsn|lsn_commit|lsn_proc)\":\\d+", "\"$1\":" + Long.parseLong(resume));
                }
                producer.send(new ProducerRecord<>(OFFSETS_TOPIC, 0, unb64(kv[0]), value)).get(30, TimeUnit.SECONDS);
                System.out.println("kafka positions: connector offset " + value);
            }
        }
        System.out.println("kafka positions: " + lines.size() + " connector offset record(s) restored into " + OFFSETS_TOPIC);
    }

    static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP));
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
