package io.dialectica.graph.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.embedding.ConceptEmbedding;
import io.dialectica.graph.config.GraphConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes each stored vector on {@code dialectica.concept-embeddings} (docs/events.md, "Embeddings"), so that
 * search-service serves semantic search from the same vectors without running the model over every concept again.
 * Called by the embedding worker after the Neo4j transaction that stored the vectors committed; it waits for the
 * broker's acknowledgement (the worker's back-pressure then includes Kafka), on its own thread, never the
 * projector's.
 *
 * <p>The topic is compacted (the latest vector per concept stays for ever): a new consumer reads every concept's
 * vector from the start. The first use creates it if it does not exist (Kubernetes: a Strimzi KafkaTopic).
 */
@ApplicationScoped
public class EmbeddingPublisher {

    private static final Logger LOG = Logger.getLogger(EmbeddingPublisher.class);

    private final GraphConfig config;
    private final ObjectMapper mapper;
    private final Counter published;
    private final Counter failures;
    private volatile KafkaProducer<String, byte[]> producer;

    public EmbeddingPublisher(GraphConfig config, ObjectMapper mapper, MeterRegistry registry) {
        this.config = config;
        this.mapper = mapper;
        published = Counter.builder("dialectica.graph.embeddings.published")
                .description("Vectors published on the concept-embeddings topic").register(registry);
        failures = Counter.builder("dialectica.graph.embeddings.publish.failures")
                .description("Vectors stored in Neo4j but not acknowledged by Kafka (published again by the next "
                        + "sweep or check of the concept)").register(registry);
    }

    public boolean enabled() {
        return config.embedding().publish();
    }

    /** Sends the vectors and waits for the acknowledgements; returns those acknowledged. */
    public List<ConceptEmbedding> publish(List<ConceptEmbedding> embeddings) {
        List<ConceptEmbedding> acknowledged = new ArrayList<>();
        if (!enabled() || embeddings.isEmpty()) {
            return acknowledged;
        }
        KafkaProducer<String, byte[]> p = producer();
        String topic = config.topics().conceptEmbeddings();
        List<Future<RecordMetadata>> sent = new ArrayList<>(embeddings.size());
        for (ConceptEmbedding embedding : embeddings) {
            sent.add(p.send(new ProducerRecord<>(topic, embedding.conceptId(), json(embedding))));
        }
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get(30, TimeUnit.SECONDS);
                acknowledged.add(embeddings.get(i));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.increment(sent.size() - i);
                return acknowledged;
            } catch (ExecutionException | TimeoutException e) {
                failures.increment();
                LOG.warnf("the vector of concept %s was not published on %s: %s", embeddings.get(i).conceptId(),
                        topic, e.getMessage());
            }
        }
        published.increment(acknowledged.size());
        return acknowledged;
    }

    private byte[] json(ConceptEmbedding embedding) {
        try {
            return mapper.writeValueAsBytes(embedding);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a ConceptEmbedding is always writable", e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                p = producer;
                if (p == null) {
                    ensureTopic();
                    Properties props = new Properties();
                    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
                    props.put(ProducerConfig.CLIENT_ID_CONFIG, "graph-service-embeddings");
                    props.put(ProducerConfig.ACKS_CONFIG, "all");
                    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
                    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
                    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
                    p = new KafkaProducer<>(props);
                    producer = p;
                }
            }
        }
        return p;
    }

    /** Creates the compacted topic when it is missing (locally nobody else does). */
    private void ensureTopic() {
        String topic = config.topics().conceptEmbeddings();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.kafka().bootstrapServers()))) {
            NewTopic wanted = new NewTopic(topic, config.embedding().topicPartitions(), (short) -1)
                    .configs(Map.of("cleanup.policy", "compact"));
            admin.createTopics(List.of(wanted)).all().get(30, TimeUnit.SECONDS);
            LOG.infof("created topic %s (%d partitions, compacted)", topic, config.embedding().topicPartitions());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("could not create topic %s (%s): publishing anyway", topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warnf("creating topic %s timed out: publishing anyway", topic);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(java.time.Duration.ofSeconds(5));
        }
    }
}
