package io.dialectica.worker.service;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult.Interaction;
import io.dialectica.worker.batch.BatchJob;
import io.dialectica.worker.batch.BatchStore;
import io.dialectica.worker.cache.ResponseCache;
import io.dialectica.worker.claude.CachePlan;
import io.dialectica.worker.claude.ClaudeCall;
import io.dialectica.worker.claude.ClaudeClient.BatchResult;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.kafka.EventPublisher;
import io.dialectica.worker.observability.WorkerMetrics;
import io.dialectica.worker.prompt.Prompts;
import io.dialectica.worker.prompt.Prompts.Prompt;
import io.dialectica.worker.service.JobProcessor.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Provider;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A batch job's two ends: {@link #enqueue} (from the request consumer, once the job's prompt is ready) records it in
 * Redis and queues it for the next Message Batch; {@link #deliver} (from {@link io.dialectica.worker.batch.BatchRunner},
 * once its batch ended) turns its result line into the job's result — checked like an interactive answer, a repair
 * round-trip going into the next batch — and forgets the job once the result is published.
 */
@ApplicationScoped
public class BatchJobs {

    private static final Logger LOG = Logger.getLogger(BatchJobs.class);

    private final BatchStore store;
    private final EventPublisher events;
    private final WorkerConfig config;
    private final WorkerMetrics metrics;
    private final ResponseCache cache;
    private final Prompts prompts;
    private final CachePlan cachePlan;
    /** A provider: JobProcessor hands batch jobs here and this class checks answers with it. */
    private final Provider<JobProcessor> processor;

    public BatchJobs(BatchStore store, EventPublisher events, WorkerConfig config, WorkerMetrics metrics,
            ResponseCache cache, Prompts prompts, CachePlan cachePlan, Provider<JobProcessor> processor) {
        this.store = store;
        this.events = events;
        this.config = config;
        this.metrics = metrics;
        this.cache = cache;
        this.prompts = prompts;
        this.cachePlan = cachePlan;
        this.processor = processor;
    }

    /**
     * Records the job and queues it for the next batch; the request's offset may then be committed (the job lives on
     * in Redis). A re-delivered request of a job already known changes nothing.
     */
    Outcome enqueue(GenerationRequest request, JobContext job, Prompt prompt, CachePlan.Layout layout,
            List<String> categories, String cacheKey, ClaudeCall call) {
        BatchJob b = new BatchJob(request, job.attempt(), BatchJob.GENERATE, call, prompt, layout, categories, cacheKey,
                List.of());
        boolean added;
        try {
            added = store.add(b, System.currentTimeMillis());
        } catch (RuntimeException e) {
            throw new RetryLater("the batch queue (Redis) is unavailable: " + e.getMessage(), e);
        }
        job.phase("batched", null, added
                ? "queued for the next Message Batch (at most " + config.batch().maxRequests() + " requests or "
                        + config.batch().maxWait().toSeconds() + " s); the result comes within 24 hours at half price"
                : "already queued or in a Message Batch");
        metrics.job(added ? "batched" : "batched_again");
        return Outcome.DONE;
    }

    /**
     * One result line of an ended batch. Throws {@link RetryLater} when the result could not be published (the
     * batch is delivered again later; jobs already delivered are skipped then).
     */
    public void deliver(String batchId, BatchResult r) {
        UUID jobId;
        try {
            jobId = UUID.fromString(r.customId());
        } catch (IllegalArgumentException e) {
            LOG.warnf("batch %s: a result for custom_id %s, not a job id; ignored", batchId, r.customId());
            return;
        }
        Optional<BatchStore.Entry> found = store.get(jobId);
        if (found.isEmpty() || !batchId.equals(found.get().batchId())) {
            return; // delivered before (a delivery cut short and taken up again), or no longer in this batch
        }
        if (found.get().cancelled()) {
            // cancelled while its batch ran: the API cancels whole batches only, so its answer is dropped here
            LOG.infof("job %s was cancelled while in batch %s: its result (%s) is dropped", jobId, batchId, r.type());
            store.remove(jobId);
            metrics.job("cancelled");
            return;
        }
        BatchJob b = found.get().job();
        JobContext job = new JobContext(jobId, b.attempt(), events, config.progressInterval());
        JobProcessor p = processor.get();
        String generatedBy = null; // known from an answer only
        switch (r.type()) {
            case "succeeded" -> {
                List<Interaction> interactions = new ArrayList<>(b.interactions());
                interactions.add(p.interaction(r.answer(), b.stage(), true));
                generatedBy = r.answer().standIn() ? "stand-in" : "claude";
                job.phase("validating", r.answer().outputTokens(), "answer from Message Batch " + batchId);
                JobProcessor.Parsed parsed = p.validate(b.request(), b.categories(), r.answer().text());
                if (parsed.valid()) {
                    cache.put(b.cacheKey(), new ResponseCache.Entry(r.answer().text(), r.answer().model(),
                            r.answer().inputTokens(), r.answer().outputTokens(), batchId, generatedBy,
                            b.prompt().version(), Instant.now()));
                    finish(jobId, p.publish(p.succeeded(b.request(), b.attempt(), parsed, interactions, false, generatedBy,
                            b.prompt().version()), "succeeded"));
                } else if (b.stage().equals(BatchJob.GENERATE)) {
                    ClaudeCall repair = cachePlan.repair(b.prompt(), b.layout(), r.answer().text(),
                            prompts.repair(b.prompt().schema(), parsed.errors(), b.prompt().task()), b.call().maxTokens());
                    store.requeue(new BatchJob(b.request(), b.attempt(), BatchJob.REPAIR, repair, b.prompt(), b.layout(),
                            b.categories(), b.cacheKey(), List.copyOf(interactions)), System.currentTimeMillis());
                    job.phase("batched", null, "the answer did not match " + b.prompt().schema() + " ("
                            + parsed.errors().size() + " problems): its repair is queued for the next Message Batch");
                } else {
                    String reason = "the model's answer did not match " + b.prompt().schema() + " after one repair: "
                            + String.join("; ", parsed.errors().stream().limit(5).toList());
                    finish(jobId, p.publish(JobProcessor.failed(jobId, b.attempt(), reason, interactions, generatedBy,
                            b.prompt().version()), "failed"));
                }
            }
            case "expired" -> fail(p, b, batchId, generatedBy, "the Message Batch " + batchId + " expired before this"
                    + " request was processed (the API ends a batch 24 hours after it was created); nothing was charged"
                    + " for it: ask again");
            case "canceled" -> fail(p, b, batchId, generatedBy, "the Message Batch " + batchId + " was canceled before"
                    + " this request was processed");
            case "errored" -> fail(p, b, batchId, generatedBy, "Claude API (Message Batch " + batchId + "): " + r.error());
            default -> fail(p, b, batchId, generatedBy, "Message Batch " + batchId + ": unknown result type " + r.type());
        }
    }

    /** A job of a batch that has no usable result: it fails with {@code reason}. */
    public void failJob(UUID jobId, String reason) {
        store.get(jobId).ifPresent(e -> {
            if (e.cancelled()) {
                store.remove(jobId);
                return;
            }
            BatchJob b = e.job();
            fail(processor.get(), b, e.batchId(), null, reason);
        });
    }

    private void fail(JobProcessor p, BatchJob b, String batchId, String generatedBy, String reason) {
        UUID jobId = b.request().jobId();
        LOG.infof("batch job %s failed: %s", jobId, reason);
        finish(jobId, p.publish(JobProcessor.failed(jobId, b.attempt(), reason, b.interactions(), generatedBy,
                b.prompt().version()), "failed"));
    }

    private void finish(UUID jobId, Outcome outcome) {
        if (outcome == Outcome.RETRY) {
            throw new RetryLater("the result of batch job " + jobId + " could not be published", null);
        }
        store.remove(jobId);
    }
}
