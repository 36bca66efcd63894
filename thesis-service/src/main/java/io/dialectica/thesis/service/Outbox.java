package io.dialectica.thesis.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.model.OutboxMessage;
import io.dialectica.thesis.repository.OutboxRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the Kafka records a job change must produce into the outbox table, inside the caller's
 * transaction: they exist exactly when the change committed. The relay publishes them afterwards
 * ({@link io.dialectica.thesis.kafka.OutboxRelay}).
 */
@ApplicationScoped
public class Outbox {

    @Inject
    OutboxRepository outbox;

    @Inject
    ObjectMapper mapper;

    /** The job's request for claude-worker, on the requests topic. */
    public Uni<Void> request(Job job) {
        GenerationRequest request = new GenerationRequest(GenerationRequest.SCHEMA_VERSION, job.id, job.type,
                job.requestedBy, List.copyOf(Arrays.asList(job.conceptIds)), job.count, job.language, job.mode,
                job.createdAt, job.priority);
        return insert(job, OutboxMessage.REQUESTS, request);
    }

    /** A job event on the progress topic: what the gateway forwards to the job's subscribers. */
    public Uni<Void> event(Job job, String type, String message, String resultUrl) {
        JobEvent event = new JobEvent(JobEvent.SCHEMA_VERSION, job.id, type, job.status, null, null, resultUrl,
                message, 0, job.updatedAt);
        return insert(job, OutboxMessage.PROGRESS, event);
    }

    private Uni<Void> insert(Job job, String channel, Object value) {
        OutboxMessage message = new OutboxMessage();
        message.jobId = job.id;
        message.channel = channel;
        message.createdAt = Instant.now();
        try {
            message.payload = mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value, e);
        }
        return outbox.persist(message).replaceWithVoid();
    }
}
