package io.dialectica.worker.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.worker.config.WorkerConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The batch path's durable state, in the Redis claude-worker already uses for its shared limits (README: "Batch
 * jobs"). Keys under {@code batch.key-prefix} P, none with a TTL (each is deleted when its work is done, so no
 * eviction policy for expiring keys touches them):
 * <ul>
 * <li>{@code P:job:<jobId>} hash: {@code state} ({@link BatchJob} as JSON), {@code batch} (the Message Batch id once
 * submitted), {@code cancelled} ("1" after a cancel). Deleted once the job's result is published.</li>
 * <li>{@code P:queue} sorted set: job ids waiting for the next batch, scored by the time they were queued.</li>
 * <li>{@code P:batch:<batchId>} set: the job ids in that batch.</li>
 * <li>{@code P:active} set: the ids of the batches submitted and not yet delivered — what a restarted worker (any
 * replica) follows.</li>
 * <li>{@code P:lock:<name>} strings: short leases (submitting the queue, delivering one ended batch).</li>
 * </ul>
 */
@ApplicationScoped
public class BatchStore {

    private final RedisDataSource redis;
    private final ObjectMapper mapper;
    private final String prefix;

    public BatchStore(RedisDataSource redis, ObjectMapper mapper, WorkerConfig config) {
        this.redis = redis;
        this.mapper = mapper;
        this.prefix = config.batch().keyPrefix();
    }

    /** A job's state and where it is. */
    public record Entry(BatchJob job, String batchId, boolean cancelled) {
    }

    String jobKey(UUID jobId) {
        return prefix + ":job:" + jobId;
    }

    String queueKey() {
        return prefix + ":queue";
    }

    String batchKey(String batchId) {
        return prefix + ":batch:" + batchId;
    }

    String activeKey() {
        return prefix + ":active";
    }

    /**
     * Records a new job and queues it, unless the job is known already (a re-delivered request): then false and
     * nothing changes.
     */
    public boolean add(BatchJob job, long nowMs) {
        boolean created = redis.hash(String.class).hsetnx(jobKey(job.request().jobId()), "state", json(job));
        if (created) {
            redis.sortedSet(String.class).zadd(queueKey(), nowMs, job.request().jobId().toString());
        }
        return created;
    }

    /** Replaces a job's state (a repair) and queues it again for the next batch. */
    public void requeue(BatchJob job, long nowMs) {
        String key = jobKey(job.request().jobId());
        redis.hash(String.class).hset(key, Map.of("state", json(job)));
        redis.hash(String.class).hdel(key, "batch");
        redis.sortedSet(String.class).zadd(queueKey(), nowMs, job.request().jobId().toString());
    }

    public Optional<Entry> get(UUID jobId) {
        Map<String, String> h = redis.hash(String.class).hgetall(jobKey(jobId));
        if (h == null || h.get("state") == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Entry(mapper.readValue(h.get("state"), BatchJob.class), h.get("batch"),
                    "1".equals(h.get("cancelled"))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable batch job state of " + jobId + ": " + e.getMessage(), e);
        }
    }

    /** The job is done (result published, or dropped after a cancel): its state goes. */
    public void remove(UUID jobId) {
        redis.key().del(jobKey(jobId));
        redis.sortedSet(String.class).zrem(queueKey(), jobId.toString());
    }

    /** Marks a job cancelled; true if the job is known here. */
    public boolean markCancelled(UUID jobId) {
        String key = jobKey(jobId);
        if (!redis.key().exists(key)) {
            return false;
        }
        redis.hash(String.class).hset(key, Map.of("cancelled", "1"));
        return true;
    }

    /** Takes a job out of the queue; true if it was queued (never submitted). */
    public boolean unqueue(UUID jobId) {
        return redis.sortedSet(String.class).zrem(queueKey(), jobId.toString()) > 0;
    }

    public long queued() {
        return redis.sortedSet(String.class).zcard(queueKey());
    }

    /** When the oldest queued job was queued (epoch ms), or empty. */
    public Optional<Long> oldestQueuedAt() {
        var first = redis.sortedSet(String.class).zrangeWithScores(queueKey(), 0, 0);
        return first.isEmpty() ? Optional.empty() : Optional.of((long) first.getFirst().score());
    }

    /** The first {@code n} queued job ids, oldest first. */
    public List<UUID> firstQueued(int n) {
        List<UUID> out = new ArrayList<>();
        for (String id : redis.sortedSet(String.class).zrange(queueKey(), 0, n - 1)) {
            out.add(UUID.fromString(id));
        }
        return out;
    }

    /** A batch was created with these jobs: its id is recorded (durably) before they leave the queue. */
    public void submitted(String batchId, List<UUID> jobIds) {
        String[] ids = jobIds.stream().map(UUID::toString).toArray(String[]::new);
        redis.set(String.class).sadd(batchKey(batchId), ids);
        redis.set(String.class).sadd(activeKey(), batchId);
        for (UUID id : jobIds) {
            // a job cancelled meanwhile keeps its cancel mark: only the batch id is added
            if (redis.key().exists(jobKey(id))) {
                redis.hash(String.class).hset(jobKey(id), Map.of("batch", batchId));
            }
        }
        redis.sortedSet(String.class).zrem(queueKey(), ids);
    }

    public Set<String> active() {
        return redis.set(String.class).smembers(activeKey());
    }

    public Set<String> jobsOf(String batchId) {
        return redis.set(String.class).smembers(batchKey(batchId));
    }

    /** Every result of the batch is delivered: it is no longer followed. */
    public void delivered(String batchId) {
        redis.key().del(batchKey(batchId));
        redis.set(String.class).srem(activeKey(), batchId);
    }

    /** A lease on {@code name} for {@code holder}; true if taken (nobody held it, or it had expired). */
    public boolean lease(String name, String holder, Duration duration) {
        Response r = redis.execute("SET", prefix + ":lock:" + name, holder, "NX", "PX",
                String.valueOf(Math.max(1, duration.toMillis())));
        return r != null && "OK".equals(r.toString());
    }

    /** Gives a lease back (only if {@code holder} still holds it). */
    public void release(String name, String holder) {
        redis.execute("EVAL", "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
                "1", prefix + ":lock:" + name, holder);
    }

    private String json(BatchJob job) {
        try {
            return mapper.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the batch job " + job.request().jobId(), e);
        }
    }
}
