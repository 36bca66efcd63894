package io.dialectica.worker.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.GenerationResult.Interaction;
import io.dialectica.contracts.generation.GenerationResult.ProposedConcept;
import io.dialectica.contracts.generation.GenerationResult.Thesis;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.worker.cache.ResponseCache;
import io.dialectica.worker.claude.CachePlan;
import io.dialectica.worker.claude.ClaudeAnswer;
import io.dialectica.worker.claude.ClaudeCall;
import io.dialectica.worker.claude.ClaudeCaller;
import io.dialectica.worker.claude.ClaudeFailure;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.context.ContextBuilder;
import io.dialectica.worker.context.ContextCompressor;
import io.dialectica.worker.context.GraphContextLoader.GraphRefused;
import io.dialectica.worker.context.GraphContextLoader.GraphUnavailable;
import io.dialectica.worker.context.GraphContextLoader.NotYetProjected;
import io.dialectica.worker.context.PromptContext;
import io.dialectica.worker.cost.Pricing;
import io.dialectica.worker.kafka.EventPublisher;
import io.dialectica.worker.kafka.EventPublisher.PublishFailed;
import io.dialectica.worker.observability.WorkerMetrics;
import io.dialectica.worker.prompt.OutputValidator;
import io.dialectica.worker.prompt.Prompts;
import io.dialectica.worker.prompt.Prompts.Prompt;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Runs one request from Kafka to its published result: check → context from graph-service →
 * prompt (laid out for the prompt cache, {@link CachePlan}) → response cache or Claude (streamed,
 * rate-limited, retried) → strict validation, one repair round-trip → result on {@code generation.results},
 * every call with its usage and its cost by the price table ({@link Pricing}). Returns whether the record is
 * finished (its offset may be committed) or must run again.
 */
@ApplicationScoped
public class JobProcessor {

    private static final Logger LOG = Logger.getLogger(JobProcessor.class);

    /** What the consumer does with the record next. */
    public enum Outcome {
        /** Finished: a result (or dead letter) is published and acknowledged, or the job was cancelled. */
        DONE,
        /** The worker's own infrastructure failed: run it again after a pause, offset not committed. */
        RETRY
    }

    private final ObjectMapper mapper;
    private final WorkerConfig config;
    private final EventPublisher events;
    private final ContextBuilder contexts;
    private final Prompts prompts;
    private final ClaudeCaller claude;
    private final ResponseCache cache;
    private final JobRegistry registry;
    private final WorkerMetrics metrics;
    private final RedisDataSource redis;
    private final OutputValidator validator;
    private final CachePlan cachePlan;
    private final Pricing pricing;
    private final BatchJobs batches;

    public JobProcessor(ObjectMapper mapper, WorkerConfig config, EventPublisher events, ContextBuilder contexts,
            Prompts prompts, ClaudeCaller claude, ResponseCache cache, JobRegistry registry, WorkerMetrics metrics,
            RedisDataSource redis, CachePlan cachePlan, Pricing pricing, BatchJobs batches) {
        this.batches = batches;
        this.cachePlan = cachePlan;
        this.pricing = pricing;
        this.mapper = mapper;
        this.config = config;
        this.events = events;
        this.contexts = contexts;
        this.prompts = prompts;
        this.claude = claude;
        this.cache = cache;
        this.registry = registry;
        this.metrics = metrics;
        this.redis = redis;
        this.validator = new OutputValidator(mapper);
    }

    public Outcome handle(ConsumerRecord<String, byte[]> record) {
        // 1. parse and check: anything the worker cannot run is poison
        UUID jobId = uuid(record.key());
        GenerationRequest request;
        try {
            JsonNode node = mapper.readTree(record.value() == null ? new byte[0] : record.value());
            if (node == null || !node.isObject()) {
                return poison(record, jobId, "the value is not a JSON object");
            }
            UUID fromValue = uuid(node.path("jobId").asText(null));
            jobId = fromValue != null ? fromValue : jobId;
            request = mapper.treeToValue(node, GenerationRequest.class);
        } catch (Exception e) {
            return poison(record, jobId, "unreadable request: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<String> problems = RequestCheck.problems(request, config.maxTheses());
        if (!problems.isEmpty()) {
            return poison(record, jobId, "invalid request: " + String.join("; ", problems));
        }
        if (registry.wasCancelled(request.jobId())) {
            metrics.job("cancelled");
            return Outcome.DONE;
        }
        // 2. delivery count (shared): a request that keeps crashing workers fails for good
        int attempt = nextAttempt(request.jobId());
        if (attempt > config.maxDeliveries()) {
            return publish(failed(request.jobId(), attempt, "gave up after " + config.maxDeliveries()
                    + " deliveries without a result", List.of(), null, null), "failed");
        }
        JobContext job = new JobContext(request.jobId(), attempt, events, config.progressInterval());
        job.bind(Thread.currentThread());
        registry.register(job);
        metrics.inFlight().incrementAndGet();
        try {
            return run(request, job);
        } finally {
            metrics.inFlight().decrementAndGet();
            registry.remove(job);
            Thread.interrupted();
        }
    }

    private Outcome run(GenerationRequest request, JobContext job) {
        List<Interaction> interactions = new ArrayList<>();
        String promptVersion = Prompts.versionFor(request.type());
        try {
            job.status(JobStatus.RUNNING, "claude-worker attempt " + job.attempt());
            job.phase("context", null, null);
            ContextCompressor.Result context = contexts.build(request);
            if (context.exact()) {
                LOG.debugf("job %s: context %d tokens by count_tokens, %d by characters / 4 (%+.1f %%)", job.jobId(),
                        context.countedTokens(), context.estimatedTokens(),
                        100.0 * (context.estimatedTokens() - context.countedTokens()) / Math.max(1, context.countedTokens()));
            }
            job.checkCancelled();
            Prompt prompt = prompts.render(request, context.context(), context.json());
            int maxTokens = config.claude().maxTokens();
            String backend = claude.standIn() ? "stand-in" : "claude";
            // the job's parameters are in the task, not in the context: both make the key
            String key = ResponseCache.key(prompt.version(), prompt.schema(), backend, config.claude().model(), maxTokens,
                    context.json() + "\u0000" + prompt.task());

            // 3. the response cache
            var cached = cache.get(key);
            if (cached.isPresent()) {
                Parsed parsed = validate(request, context.context(), cached.get().text());
                metrics.cache(parsed.valid());
                if (parsed.valid()) {
                    var e = cached.get();
                    job.phase("cached", e.outputTokens(), "identical request answered before; reusing its answer");
                    interactions.add(new Interaction(e.model(), 0, 0, 0, BigDecimal.ZERO, e.requestId(), true, "cache", 0, 0));
                    return publish(succeeded(request, job.attempt(), parsed, interactions, true, e.generatedBy(),
                            promptVersion), "succeeded");
                }
            } else {
                metrics.cache(false);
            }

            // 4. Claude, then validation with one repair round-trip; cache_control after the stable parts
            CachePlan.Layout layout = cachePlan.layout(prompt);
            LOG.debugf("job %s: prompt prefix %d tokens (%s; minimum %d): breakpoints system=%s context=%s", job.jobId(),
                    layout.prefixTokens(), layout.exactCounts() ? "count_tokens" : "estimated", layout.minTokens(),
                    layout.systemBreakpoint(), layout.contextBreakpoint());
            if (request.batch() && config.batch().enabled()) {
                // half price, within 24 h: the call goes into a Message Batch; the result comes from BatchRunner
                return batches.enqueue(request, job, prompt, layout, categoryNames(context.context()), key,
                        cachePlan.generate(prompt, layout, maxTokens));
            }
            ClaudeAnswer answer = claude.call(cachePlan.generate(prompt, layout, maxTokens), job);
            interactions.add(interaction(answer, "generate"));
            boolean standIn = answer.standIn();
            job.phase("validating", answer.outputTokens(), null);
            Parsed parsed = validate(request, context.context(), answer.text());
            if (!parsed.valid()) {
                LOG.infof("job %s: invalid answer (%d problems), asking for a repair", job.jobId(), parsed.errors().size());
                ClaudeCall repair = cachePlan.repair(prompt, layout, answer.text(),
                        prompts.repair(prompt.schema(), parsed.errors(), prompt.task()), maxTokens);
                answer = claude.call(repair, job);
                interactions.add(interaction(answer, "repair"));
                standIn |= answer.standIn();
                job.phase("validating", answer.outputTokens(), null);
                parsed = validate(request, context.context(), answer.text());
                if (!parsed.valid()) {
                    String reason = "the model's answer did not match " + prompt.schema() + " after one repair: "
                            + String.join("; ", parsed.errors().stream().limit(5).toList())
                            + (parsed.errors().size() > 5 ? " (and " + (parsed.errors().size() - 5) + " more)" : "");
                    return publish(failed(request.jobId(), job.attempt(), reason, interactions,
                            standIn ? "stand-in" : "claude", promptVersion), "failed");
                }
            }
            String generatedBy = standIn ? "stand-in" : "claude";
            cache.put(key, new ResponseCache.Entry(answer.text(), answer.model(), answer.inputTokens(),
                    answer.outputTokens(), answer.requestId(), generatedBy, promptVersion, Instant.now()));
            return publish(succeeded(request, job.attempt(), parsed, interactions, false, generatedBy, promptVersion),
                    "succeeded");
        } catch (JobCancelled e) {
            LOG.infof("job %s cancelled while running; no result", job.jobId());
            metrics.job("cancelled");
            return Outcome.DONE;
        } catch (ClaudeFailure f) {
            if (job.cancelled()) {
                metrics.job("cancelled");
                return Outcome.DONE;
            }
            String reason = "Claude API: " + f.getMessage() + (f.kind().retryable()
                    ? " (gave up after " + config.claude().retry().maxAttempts() + " attempts)" : "");
            return publish(failed(request.jobId(), job.attempt(), reason, interactions,
                    claude.standIn() ? "stand-in" : "claude", promptVersion), "failed");
        } catch (NotYetProjected | GraphRefused e) {
            return publish(failed(request.jobId(), job.attempt(), "context: " + e.getMessage(), interactions, null,
                    promptVersion), "failed");
        } catch (GraphUnavailable | CircuitBreakerOpenException | TimeoutException | RetryLater | PublishFailed e) {
            if (job.cancelled()) {
                metrics.job("cancelled");
                return Outcome.DONE;
            }
            LOG.warnf("job %s: %s; it runs again", job.jobId(), e.getMessage());
            job.transientError("worker infrastructure: " + e.getMessage() + "; the job runs again");
            metrics.job("retry");
            return Outcome.RETRY;
        } catch (RuntimeException e) {
            if (job.cancelled()) {
                metrics.job("cancelled");
                return Outcome.DONE;
            }
            LOG.errorf(e, "job %s failed unexpectedly; it runs again", job.jobId());
            metrics.job("retry");
            return Outcome.RETRY;
        }
    }

    /** The answer checked against the job's output schema. */
    record Parsed(List<Thesis> theses, ProposedConcept synthesis, List<String> errors) {
        boolean valid() {
            return errors.isEmpty();
        }
    }

    private Parsed validate(GenerationRequest request, PromptContext context, String text) {
        return validate(request, categoryNames(context), text);
    }

    /** The category names of the context (what a thesis may rest on). */
    static List<String> categoryNames(PromptContext context) {
        Set<String> names = new LinkedHashSet<>();
        context.concepts().forEach(c -> c.categories().forEach(k -> names.add(k.name())));
        return List.copyOf(names);
    }

    /** The answer checked against the job's output schema; THESES against the context's category names. */
    Parsed validate(GenerationRequest request, List<String> categoryNames, String text) {
        if (request.type() == JobType.THESES) {
            var v = validator.theses(text, request.count(), new LinkedHashSet<>(categoryNames));
            return new Parsed(v.theses(), null, v.errors());
        }
        var v = validator.synthesis(text, request.conceptIds(), request.mode());
        return new Parsed(null, v.concept(), v.errors());
    }

    private Outcome poison(ConsumerRecord<String, byte[]> record, UUID jobId, String reason) {
        LOG.warnf("poison request at %s-%d@%d (job %s): %s", record.topic(), record.partition(), record.offset(), jobId,
                reason);
        try {
            events.deadLetter(record.key(), record.value(), reason, record.topic(), record.partition(), record.offset());
            if (jobId != null) {
                events.result(failed(jobId, 1, "poison request: " + reason, List.of(), null, null));
            }
        } catch (PublishFailed e) {
            LOG.warnf("dead letter not published (%s); the request runs again", e.getMessage());
            return Outcome.RETRY;
        }
        metrics.job("dead_lettered");
        return Outcome.DONE;
    }

    Outcome publish(GenerationResult result, String outcome) {
        try {
            events.result(result);
        } catch (PublishFailed e) {
            LOG.warnf("result of job %s not published (%s); the job runs again", result.jobId(), e.getMessage());
            metrics.job("retry");
            return Outcome.RETRY;
        }
        metrics.job(outcome);
        return Outcome.DONE;
    }

    GenerationResult succeeded(GenerationRequest request, int attempt, Parsed parsed,
            List<Interaction> interactions, boolean cacheHit, String generatedBy, String promptVersion) {
        return new GenerationResult(GenerationResult.SCHEMA_VERSION, request.jobId(), attempt, true, null,
                parsed.theses(), parsed.synthesis(), List.copyOf(interactions), cacheHit, generatedBy, promptVersion,
                Instant.now());
    }

    static GenerationResult failed(UUID jobId, int attempt, String reason, List<Interaction> interactions,
            String generatedBy, String promptVersion) {
        return new GenerationResult(GenerationResult.SCHEMA_VERSION, jobId, attempt, false, reason, null, null,
                List.copyOf(interactions), false, generatedBy, promptVersion, Instant.now());
    }

    /**
     * The call as the result records it, with its cost: the price table applied to its usage. The stand-in's
     * answers are priced as the model it plays (so budgets and the cost benchmark work without a key).
     */
    private Interaction interaction(ClaudeAnswer a, String purpose) {
        return interaction(a, purpose, false);
    }

    /**
     * {@code batch}: a call of a Message Batch, priced at the batch multiplier (half); its purpose is
     * {@code batch-generate} / {@code batch-repair}.
     */
    Interaction interaction(ClaudeAnswer a, String purpose, boolean batch) {
        Pricing.Usage usage = new Pricing.Usage(a.inputTokens(), a.outputTokens(), a.cacheCreationInputTokens(),
                a.cacheReadInputTokens());
        BigDecimal cost = batch ? pricing.batchCost(a.model(), usage) : pricing.cost(a.model(), usage);
        metrics.usage(a.model(), a.inputTokens(), a.outputTokens(), a.cacheCreationInputTokens(),
                a.cacheReadInputTokens(), cost.doubleValue());
        return new Interaction(a.model(), a.inputTokens(), a.outputTokens(), a.latencyMs(), cost, a.requestId(), false,
                batch ? "batch-" + purpose : purpose, a.cacheCreationInputTokens(), a.cacheReadInputTokens());
    }

    private int nextAttempt(UUID jobId) {
        String key = config.attemptsKeyPrefix() + ":" + jobId;
        try {
            long n = redis.value(Long.class).incr(key);
            redis.key().expire(key, java.time.Duration.ofDays(7));
            return (int) n;
        } catch (RuntimeException e) {
            LOG.warnf("delivery counter unavailable (%s); counting this delivery as 1", e.getMessage());
            return 1;
        }
    }

    private static UUID uuid(String s) {
        if (s == null) {
            return null;
        }
        try {
            return UUID.fromString(s.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }
}
