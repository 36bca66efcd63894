package io.dialectica.search.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.embedding.ConceptEmbedding;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.embedding.EmbeddingIndex;
import io.dialectica.search.index.Indexes;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.projection.BatchWriter;
import io.dialectica.search.projection.Projector;
import io.dialectica.search.service.SearchCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Consumes graph-service's vectors ({@code dialectica.concept-embeddings}, docs/events.md "Embeddings") into the
 * concept documents: per poll, the latest vector of each concept is stored in the side index (acknowledged), then
 * put into the documents whose current text it belongs to ({@link BatchWriter#syncEmbeddings}), then the offsets
 * are committed. At least once and idempotent: a replay stores the same vectors again and changes no document.
 *
 * <p>Documents that took a vector become searchable with the projector's next refresh, which bumps the hot-query
 * cache's generation too ({@link Projector#refreshSoon}): one refresh cycle for every writer of the index. Only when
 * the projector does not consume does this consumer refresh (and bump) for itself.
 *
 * <p>One thread, its own consumer group shared by every replica (a vector is written once, into every index of
 * the write alias). It never creates the topic (graph-service does, compacted); until it exists this consumer
 * has nothing assigned and finds it at the next metadata refresh (5 s).
 */
@ApplicationScoped
public class EmbeddingConsumer {

    private static final Logger LOG = Logger.getLogger(EmbeddingConsumer.class);

    private final SearchConfig config;
    private final ObjectMapper mapper;
    private final Indexes indexes;
    private final EmbeddingIndex embeddings;
    private final BatchWriter writer;
    private final OpenSearch os;
    private final SearchCache cache;
    private final Projector projector;
    private final Counter received;
    private final Counter unusable;
    private final Counter documents;
    private final Counter retries;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile String lastError;

    public EmbeddingConsumer(SearchConfig config, ObjectMapper mapper, Indexes indexes, EmbeddingIndex embeddings,
            BatchWriter writer, OpenSearch os, SearchCache cache, Projector projector, MeterRegistry registry) {
        this.os = os;
        this.projector = projector;
        this.cache = cache;
        this.config = config;
        this.mapper = mapper;
        this.indexes = indexes;
        this.embeddings = embeddings;
        this.writer = writer;
        received = Counter.builder("dialectica.search.embeddings.received")
                .description("Vectors read from the concept-embeddings topic").register(registry);
        unusable = Counter.builder("dialectica.search.embeddings.unusable")
                .description("Records skipped: unreadable, another model or recipe, wrong length").register(registry);
        documents = Counter.builder("dialectica.search.embeddings.documents")
                .description("Concept documents that took a vector of their current text").register(registry);
        retries = Counter.builder("dialectica.search.embeddings.retries")
                .description("Batches of vectors retried after an OpenSearch failure").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.embeddings().enabled() && config.consumer().enabled()) {
            running = true;
            Thread t = new Thread(this::run, "search-embeddings");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5_000);
                if (t.isAlive()) {
                    // asleep in a retry backoff (an interrupt during the consumer's close makes Kafka log errors)
                    t.interrupt();
                    t.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String lastError() {
        return lastError;
    }

    public long documentsWritten() {
        return (long) documents.count();
    }

    private void run() {
        Duration backoff = config.consumer().retryBackoff();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties())) {
            consumer = c;
            c.subscribe(List.of(config.topics().conceptEmbeddings()));
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(config.consumer().pollTimeout());
                if (records.isEmpty()) {
                    continue;
                }
                Map<String, ConceptEmbedding> latest = new LinkedHashMap<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    received.increment();
                    ConceptEmbedding e = read(record);
                    if (e == null) {
                        unusable.increment();
                        continue;
                    }
                    latest.remove(e.conceptId());
                    latest.put(e.conceptId(), e);
                }
                while (running && !latest.isEmpty()) {
                    try {
                        // the projector creates the indexes at its start (with their mappings); a bulk before that
                        // would auto-create the side index with dynamic mappings
                        BatchWriter.Targets targets = indexes.resolveTargets();
                        if (!indexes.exists(indexes.embeddings())) {
                            throw new IllegalStateException("index " + indexes.embeddings() + " not created yet");
                        }
                        embeddings.store(new ArrayList<>(latest.values()));
                        int written = writer.syncEmbeddings(latest.keySet(), targets);
                        documents.increment(written);
                        if (written > 0 && !projector.refreshSoon()) {
                            // no projector refresh to come: searchable now, and no cached answer computed without
                            // these vectors is served again
                            os.call("POST", "/" + indexes.writeAlias() + "/_refresh", null).orThrow("refresh");
                            cache.bump();
                        }
                        lastError = null;
                        backoff = config.consumer().retryBackoff();
                        break;
                    } catch (RuntimeException e) {
                        lastError = e.getMessage();
                        retries.increment();
                        LOG.warnf("%d vectors not stored (%s); retrying in %d ms", latest.size(), e.getMessage(),
                                backoff.toMillis());
                        Thread.sleep(backoff.toMillis());
                        Duration doubled = backoff.multipliedBy(2);
                        backoff = doubled.compareTo(config.consumer().retryBackoffMax()) > 0
                                ? config.consumer().retryBackoffMax() : doubled;
                    }
                }
                if (running) {
                    c.commitSync();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.error("the embedding consumer stopped", e);
        } finally {
            consumer = null;
        }
    }

    private ConceptEmbedding read(ConsumerRecord<String, byte[]> record) {
        try {
            ConceptEmbedding e = mapper.readValue(record.value(), ConceptEmbedding.class);
            if (!e.usable() || !e.conceptId().equals(record.key())) {
                LOG.debugf("skipping an unusable vector record at %s-%d@%d", record.topic(), record.partition(),
                        record.offset());
                return null;
            }
            return e;
        } catch (Exception e) {
            LOG.warnf("skipping an unreadable vector record at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    private Properties properties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.embeddings().groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "search-service-" + config.embeddings().groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");
        // the topic is graph-service's, compacted: a consumer's metadata request must never create it (with the
        // broker's defaults); created later, it is found at the next metadata refresh
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(config.kafka().consumer());
        return props;
    }
}
