package io.dialectica.thesis.service;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.thesis.mapping.JobMapper;
import io.dialectica.thesis.model.Interaction;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.model.ProposedGraph;
import io.dialectica.thesis.model.Synthesis;
import io.dialectica.thesis.model.ThesisRow;
import io.dialectica.thesis.repository.InteractionRepository;
import io.dialectica.thesis.repository.JobRepository;
import io.dialectica.thesis.repository.SynthesisRepository;
import io.dialectica.thesis.repository.ThesisRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the generation topics and the watchdog do to jobs. Each method is one transaction under the
 * job's row lock; a terminal job is never changed again, which is what makes repeated and late
 * messages harmless: the first result of a job is stored, every later one (a re-run after a worker
 * crash, a result for a cancelled job) changes nothing.
 *
 * <p>Each returns whether it wrote outbox rows (so the caller wakes the relay after the commit).
 */
@ApplicationScoped
public class JobTransitions {

    private static final Logger LOG = Logger.getLogger(JobTransitions.class);
    private static final int MAX_TEXT = 4000;

    @Inject
    JobRepository jobs;

    @Inject
    ThesisRepository theses;

    @Inject
    SynthesisRepository syntheses;

    @Inject
    InteractionRepository interactions;

    @Inject
    Outbox outbox;

    @Inject
    Budgets budgets;

    /** A worker's event: the job is RUNNING; remember its attempt and last phase. Never writes the outbox. */
    public Uni<Boolean> progress(JobEvent event) {
        if (event.jobId() == null || event.status() != JobStatus.RUNNING) {
            return Uni.createFrom().item(false); // only the worker's RUNNING/progress/error events are about work
        }
        return Panache.withTransaction(() -> jobs.findForUpdate(event.jobId()).map(job -> {
            if (job == null || job.status.terminal()) {
                return false; // unknown here, or finished: a late event changes nothing
            }
            Instant now = JobService.now();
            if (job.status == JobStatus.QUEUED) {
                job.status = JobStatus.RUNNING;
            }
            if (job.startedAt == null) {
                job.startedAt = now;
            }
            job.attempts = Math.max(job.attempts, event.attempt());
            if (event.phase() != null) {
                job.lastPhase = clip(event.phase(), 64);
            }
            if (event.outputTokens() != null) {
                job.lastOutputTokens = event.outputTokens();
            }
            if (event.message() != null) {
                job.lastMessage = clip(event.message(), MAX_TEXT);
            }
            job.lastEventAt = now;
            job.touch(now);
            return false;
        }));
    }

    /**
     * A worker's result: the first one of a job is stored with the job's terminal transition and its
     * SUCCEEDED ({@code result}) or FAILED ({@code error}) event, in one transaction.
     */
    public Uni<Boolean> result(GenerationResult result) {
        return Panache.withTransaction(() -> jobs.findForUpdate(result.jobId()).chain(job -> {
            if (job == null) {
                LOG.warnf("result for unknown job %s ignored", result.jobId());
                return Uni.createFrom().item(false);
            }
            if (job.status.terminal()) {
                LOG.infof("result of job %s (attempt %d) ignored: the job is already %s", job.id, result.attempt(),
                        job.status);
                return Uni.createFrom().item(false);
            }
            Instant now = JobService.now();
            job.attempts = Math.max(job.attempts, result.attempt());
            job.generatedBy = result.generatedBy();
            job.cacheHit = result.cacheHit();
            job.promptVersion = result.promptVersion();
            if (job.startedAt == null) {
                job.startedAt = now;
            }
            // the job's usage and cost from the result's calls; its budget is settled at that cost
            BigDecimal cost = usage(job, result);
            Uni<Void> stored = storeInteractions(job, result, now).chain(() -> budgets.settle(job, cost));
            if (!result.succeeded()) {
                String reason = result.error() == null ? "the worker gave up without a reason" : result.error();
                return stored.chain(() -> fail(job, reason, now)).replaceWith(true);
            }
            String problem = problemWith(job, result);
            if (problem != null) {
                return stored.chain(() -> fail(job, "invalid result: " + problem, now)).replaceWith(true);
            }
            Uni<Void> content = job.type == JobType.THESES ? storeTheses(job, result, now)
                    : storeSynthesis(job, result, now);
            return stored.chain(() -> content).chain(() -> {
                job.finish(JobStatus.SUCCEEDED, null, now);
                job.lastMessage = "result stored";
                return outbox.event(job, JobEvent.RESULT, job.lastMessage, JobMapper.resultUrl(job));
            }).replaceWith(true);
        }));
    }

    /** A request the worker could not run at all (on the dead-letter topic): its job FAILS. */
    public Uni<Boolean> deadLetter(UUID jobId, String reason) {
        return Panache.withTransaction(() -> jobs.findForUpdate(jobId).chain(job -> {
            if (job == null || job.status.terminal()) {
                return Uni.createFrom().item(false);
            }
            return fail(job, "poison request" + (reason == null || reason.isBlank() ? "" : ": " + reason),
                    JobService.now()).replaceWith(true);
        }));
    }

    /**
     * The watchdog: every RUNNING job without a sign of life for {@code stallTimeout} (a batch job:
     * {@code batchStallTimeout}; QUEUED:
     * {@code queuedTimeout}) is published again
     * (dispatches + 1, back to QUEUED) or, once it has been published {@code maxDispatches} times, FAILS.
     * Rows another replica's watchdog holds are skipped.
     */
    public Uni<Integer> sweep(Instant now, Duration stallTimeout, Duration batchStallTimeout, Duration queuedTimeout,
            int maxDispatches, int limit) {
        Instant queuedBefore = now.minus(queuedTimeout);
        return Panache.withTransaction(() -> jobs.stalled(now.minus(stallTimeout), now.minus(batchStallTimeout),
                queuedBefore, limit).chain(ids -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (UUID id : ids) {
                chain = chain.chain(n -> jobs.findForUpdate(id).chain(job -> {
                    if (job == null || job.status.terminal()) {
                        return Uni.createFrom().item(n);
                    }
                    boolean running = job.status == JobStatus.RUNNING;
                    Duration timeout = !running ? queuedTimeout
                            : GenerationRequest.BATCH.equals(job.priority) ? batchStallTimeout : stallTimeout;
                    if (!job.lastEventAt.isBefore(now.minus(timeout))) {
                        return Uni.createFrom().item(n);
                    }
                    Instant at = JobService.now();
                    String silent = (running ? "no progress for " : "not picked up for ") + timeout;
                    if (job.dispatches >= maxDispatches) {
                        return fail(job, silent + " after " + job.dispatches + " dispatches; given up", at)
                                .replaceWith(n + 1);
                    }
                    job.dispatches++;
                    job.status = JobStatus.QUEUED;
                    job.lastEventAt = at;
                    job.lastMessage = silent + "; dispatched again (" + job.dispatches + " of " + maxDispatches + ")";
                    job.touch(at);
                    LOG.warnf("job %s: %s", job.id, job.lastMessage);
                    return outbox.request(job)
                            .chain(() -> outbox.event(job, JobEvent.STATUS, job.lastMessage, null))
                            .replaceWith(n + 1);
                }));
            }
            return chain;
        }));
    }

    private Uni<Void> fail(Job job, String reason, Instant now) {
        job.finish(JobStatus.FAILED, clip(reason, MAX_TEXT), now);
        job.lastMessage = job.error;
        LOG.infof("job %s FAILED: %s", job.id, job.error);
        // without a result (dead letter, watchdog) the hold is released; after one it was settled already
        return budgets.settle(job, null).chain(() -> outbox.event(job, JobEvent.ERROR, job.error, null));
    }

    /**
     * Sums the result's interactions into the job's usage and cost (exact: each interaction's cost is
     * claude-worker's price table applied to its usage; a response-cache hit costs 0). Returns the cost.
     */
    static BigDecimal usage(Job job, GenerationResult result) {
        long in = 0;
        long out = 0;
        long write = 0;
        long read = 0;
        BigDecimal cost = BigDecimal.ZERO;
        if (result.interactions() != null) {
            for (GenerationResult.Interaction i : result.interactions()) {
                if (i == null) {
                    continue;
                }
                in += i.inputTokens();
                out += i.outputTokens();
                write += i.cacheCreationInputTokens();
                read += i.cacheReadInputTokens();
                if (i.estimatedCostUsd() != null && i.estimatedCostUsd().signum() > 0) {
                    cost = cost.add(i.estimatedCostUsd());
                }
            }
        }
        job.inputTokens = in;
        job.outputTokens = out;
        job.cacheCreationInputTokens = write;
        job.cacheReadInputTokens = read;
        job.costUsd = cost;
        return cost;
    }

    /** Why a successful result cannot be stored for this job, or null. */
    private static String problemWith(Job job, GenerationResult result) {
        if (job.type == JobType.THESES) {
            if (result.theses() == null || result.theses().isEmpty()) {
                return "no theses";
            }
            for (GenerationResult.Thesis t : result.theses()) {
                if (t == null || t.text() == null || t.text().isBlank()) {
                    return "a thesis without text";
                }
            }
            return null;
        }
        GenerationResult.ProposedConcept p = result.synthesis();
        if (p == null) {
            return "no proposed concept";
        }
        if (p.name() == null || p.name().isBlank()) {
            return "a proposed concept without a name";
        }
        return null;
    }

    private Uni<Void> storeTheses(Job job, GenerationResult result, Instant now) {
        List<ThesisRow> rows = new ArrayList<>();
        int order = 0;
        for (GenerationResult.Thesis t : result.theses()) {
            ThesisRow row = new ThesisRow();
            row.jobId = job.id;
            // the worker numbers them; we keep its order but renumber 1..n so (job, ord) stays unique
            row.order = ++order;
            row.conceptId = job.conceptIds[0];
            row.text = t.text();
            row.rationale = t.rationale();
            row.categories = t.categories() == null ? new String[0]
                    : t.categories().stream().filter(c -> c != null).toArray(String[]::new);
            row.createdAt = now;
            rows.add(row);
        }
        return theses.persist(rows).replaceWithVoid();
    }

    private Uni<Void> storeSynthesis(Job job, GenerationResult result, Instant now) {
        GenerationResult.ProposedConcept p = result.synthesis();
        Synthesis s = new Synthesis();
        s.id = job.id;
        s.jobId = job.id;
        s.sourceConceptIds = job.conceptIds.clone();
        s.mode = job.mode;
        s.name = p.name();
        s.description = p.description();
        s.tradition = p.tradition();
        s.proposed = new ProposedGraph(p.categories() == null ? List.of() : p.categories(),
                p.relations() == null ? List.of() : p.relations());
        s.createdAt = now;
        return syntheses.persist(s).replaceWithVoid();
    }

    private Uni<Void> storeInteractions(Job job, GenerationResult result, Instant now) {
        if (result.interactions() == null || result.interactions().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Interaction> rows = new ArrayList<>();
        for (GenerationResult.Interaction i : result.interactions()) {
            if (i == null) {
                continue;
            }
            Interaction row = new Interaction();
            row.jobId = job.id;
            row.attempt = result.attempt();
            row.model = i.model();
            row.inputTokens = i.inputTokens();
            row.outputTokens = i.outputTokens();
            row.cacheCreationInputTokens = i.cacheCreationInputTokens();
            row.cacheReadInputTokens = i.cacheReadInputTokens();
            row.latencyMs = i.latencyMs();
            row.estimatedCostUsd = i.estimatedCostUsd();
            row.requestId = i.requestId();
            row.cacheHit = i.cacheHit();
            row.purpose = i.purpose();
            row.generatedBy = result.generatedBy();
            row.createdAt = now;
            rows.add(row);
        }
        return interactions.persist(rows).replaceWithVoid();
    }

    private static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
