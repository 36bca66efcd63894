package io.dialectica.worker.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.worker.config.WorkerConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Validated answers in Redis, keyed by {@code <prefix>:<sha256>} of (prompt template version, output
 * schema, backend (claude / stand-in), model, max tokens, the compressed context JSON, which carries the
 * job's parameters). An identical request with an unchanged graph reuses the answer. The cache is an
 * optimisation: a Redis failure here is logged and the job calls Claude.
 */
@ApplicationScoped
public class ResponseCache {

    private static final Logger LOG = Logger.getLogger(ResponseCache.class);

    private final RedisDataSource redis;
    private final ObjectMapper mapper;
    private final WorkerConfig.Cache config;

    public ResponseCache(RedisDataSource redis, ObjectMapper mapper, WorkerConfig config) {
        this.redis = redis;
        this.mapper = mapper;
        this.config = config.cache();
    }

    /** What is stored: the validated answer text and the interaction that produced it. */
    public record Entry(String text, String model, int inputTokens, int outputTokens, String requestId,
            String generatedBy, String promptVersion, Instant createdAt) {
    }

    public static String key(String promptVersion, String schema, String backend, String model, int maxTokens,
            String contextJson) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] { promptVersion, schema, backend, model, String.valueOf(maxTokens),
                    contextJson }) {
                d.update(part.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Entry> get(String hash) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        try {
            String json = redis.value(String.class).get(config.keyPrefix() + ":" + hash);
            return json == null ? Optional.empty() : Optional.of(mapper.readValue(json, Entry.class));
        } catch (RuntimeException | JsonProcessingException e) {
            LOG.warnf("response cache read failed (%s); calling Claude", e.getMessage());
            return Optional.empty();
        }
    }

    public void put(String hash, Entry entry) {
        if (!config.enabled()) {
            return;
        }
        try {
            redis.value(String.class).setex(config.keyPrefix() + ":" + hash, config.ttl().toSeconds(),
                    mapper.writeValueAsString(entry));
        } catch (RuntimeException | JsonProcessingException e) {
            LOG.warnf("response cache write failed: %s", e.getMessage());
        }
    }
}
