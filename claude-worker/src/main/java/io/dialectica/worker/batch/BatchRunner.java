package io.dialectica.worker.batch;

import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.worker.claude.ClaudeClient;
import io.dialectica.worker.claude.ClaudeClient.BatchEntry;
import io.dialectica.worker.claude.ClaudeClient.BatchStatus;
import io.dialectica.worker.claude.ClaudeFailure;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.kafka.EventPublisher;
import io.dialectica.worker.observability.WorkerMetrics;
import io.dialectica.worker.ratelimit.RateLimiter;
import io.dialectica.worker.service.BatchJobs;
import io.dialectica.worker.service.RetryLater;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The batch path's two loops, on every replica (Redis leases keep them from doing the same work twice):
 * <ul>
 * <li><b>Submit</b> (every second or so): when {@code batch.max-requests} jobs are queued, or the oldest has waited
 * {@code batch.max-wait}, up to max-requests of them go into one Message Batch ({@code custom_id} = job id); the
 * batch id is recorded in Redis before the jobs leave the queue.</li>
 * <li><b>Follow</b> (every {@code batch.poll-interval}): each batch in flight ({@code P:active}) is retrieved; once
 * ended, its results (JSON Lines) are read and each job's result published ({@link BatchJobs#deliver}). A restarted
 * replica follows what is in Redis: nothing is lost with a process.</li>
 * </ul>
 * Every request to the batches endpoints takes one slot of the shared request limiter (they count against the API's
 * request limit), and a 429's retry-after holds every replica back, as for Messages calls.
 * <p>
 * <b>Cancel</b> ({@link #cancel}): the API cancels whole batches only. A job still queued just leaves the queue
 * (nothing submitted, nothing charged); a job in a batch whose other jobs are all cancelled or done cancels the batch;
 * otherwise the job is marked cancelled and its result dropped when the batch ends (what it cost is charged by the
 * API all the same, and not reported: there is no result).
 */
@ApplicationScoped
public class BatchRunner {

    private static final Logger LOG = Logger.getLogger(BatchRunner.class);

    private final WorkerConfig config;
    private final BatchStore store;
    private final ClaudeClient claude;
    private final RateLimiter limiter;
    private final BatchJobs jobs;
    private final EventPublisher events;
    private final WorkerMetrics metrics;
    private final String holder = "claude-worker-" + UUID.randomUUID();
    private ScheduledExecutorService timer;

    public BatchRunner(WorkerConfig config, BatchStore store, ClaudeClient claude, RateLimiter limiter, BatchJobs jobs,
            EventPublisher events, WorkerMetrics metrics) {
        this.config = config;
        this.store = store;
        this.claude = claude;
        this.limiter = limiter;
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled() && config.batch().enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "claude-worker-batches");
            t.setDaemon(true);
            return t;
        });
        long submitEvery = Math.max(100, Math.min(1000, config.batch().maxWait().toMillis() / 4));
        timer.scheduleWithFixedDelay(() -> guarded("submit", this::submit), submitEvery, submitEvery, TimeUnit.MILLISECONDS);
        long pollEvery = Math.max(100, config.batch().pollInterval().toMillis());
        // the first look at the batches in flight right away: a restarted replica picks them up
        timer.scheduleWithFixedDelay(() -> guarded("follow", this::follow), 0, pollEvery, TimeUnit.MILLISECONDS);
        LOG.infof("batch path: at most %d requests or %d s per Message Batch, following batches every %d ms",
                config.batch().maxRequests(), config.batch().maxWait().toSeconds(), pollEvery);
    }

    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private void guarded(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warnf("batch %s: %s; again at the next turn", what, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------
    // submit

    /** Submits the queue while it is due: max-requests jobs queued, or the oldest waiting max-wait. */
    public void submit() {
        if (!due()) {
            return;
        }
        if (!store.lease("submit", holder, config.batch().lease())) {
            return; // another replica submits
        }
        try {
            while (due()) {
                List<UUID> ids = store.firstQueued(config.batch().maxRequests());
                List<BatchEntry> entries = new ArrayList<>();
                List<UUID> included = new ArrayList<>();
                java.util.Map<UUID, Integer> attempts = new java.util.HashMap<>();
                for (UUID id : ids) {
                    Optional<BatchStore.Entry> e = store.get(id);
                    if (e.isEmpty() || e.get().cancelled()) {
                        store.remove(id); // cancelled while queued: never submitted, nothing to pay
                        continue;
                    }
                    entries.add(new BatchEntry(id.toString(), e.get().job().call()));
                    attempts.put(id, e.get().job().attempt());
                    included.add(id);
                }
                if (entries.isEmpty()) {
                    continue;
                }
                BatchStatus batch;
                try {
                    batch = limited(() -> claude.createBatch(entries));
                } catch (ClaudeFailure f) {
                    if (f.kind() == ClaudeFailure.Kind.CLIENT_ERROR) {
                        // the API refuses this batch as it is (e.g. too large): its jobs fail rather than block the queue
                        for (UUID id : included) {
                            jobs.failJob(id, "Claude API refused the Message Batch: " + f.getMessage());
                        }
                        continue;
                    }
                    LOG.warnf("creating a Message Batch of %d requests failed (%s); trying again", entries.size(),
                            f.getMessage());
                    return;
                }
                store.submitted(batch.id(), included);
                metrics.batch("submitted", included.size());
                LOG.infof("Message Batch %s submitted: %d requests", batch.id(), included.size());
                for (UUID id : included) {
                    progress(id, attempts.get(id), "in Message Batch " + batch.id() + " (" + included.size()
                            + " requests); the result comes when the batch has ended");
                }
            }
        } finally {
            store.release("submit", holder);
        }
    }

    private boolean due() {
        long queued = store.queued();
        if (queued == 0) {
            return false;
        }
        if (queued >= config.batch().maxRequests()) {
            return true;
        }
        return store.oldestQueuedAt()
                .map(at -> System.currentTimeMillis() - at >= config.batch().maxWait().toMillis())
                .orElse(false);
    }

    // ------------------------------------------------------------------------------------------
    // follow

    /** Retrieves every batch in flight; delivers the ended ones. */
    public void follow() {
        // one replica per poll interval retrieves (each retrieval takes a slot of the shared request limit); the
        // lease is not given back: it lapses by the next turn
        if (!store.lease("follow", holder, config.batch().pollInterval().multipliedBy(9).dividedBy(10))) {
            return;
        }
        for (String batchId : store.active()) {
            BatchStatus status;
            try {
                status = limited(() -> claude.retrieveBatch(batchId));
            } catch (ClaudeFailure f) {
                if (f.status() == 404) {
                    LOG.warnf("Message Batch %s is unknown to the API: its jobs fail", batchId);
                    if (store.lease("deliver:" + batchId, holder, config.batch().lease())) {
                        failRemaining(batchId, "the Message Batch " + batchId + " is no longer known to the API");
                        store.delivered(batchId);
                    }
                } else {
                    LOG.infof("retrieving Message Batch %s failed (%s); again at the next turn", batchId, f.getMessage());
                }
                continue;
            }
            if (!status.ended()) {
                continue;
            }
            deliver(batchId, status);
        }
    }

    private void deliver(String batchId, BatchStatus status) {
        if (!store.lease("deliver:" + batchId, holder, config.batch().lease())) {
            return; // another replica delivers it
        }
        try {
            long started = System.nanoTime();
            limited(() -> {
                claude.batchResults(batchId, r -> jobs.deliver(batchId, r));
                return null;
            });
            // a job of the batch without a result line (the API sends one for each; a safety net)
            failRemaining(batchId, "the Message Batch " + batchId + " ended without a result for this request");
            store.delivered(batchId);
            metrics.batch("delivered", status.succeeded() + status.errored() + status.canceled() + status.expired());
            LOG.infof("Message Batch %s delivered (succeeded %d, errored %d, canceled %d, expired %d) in %d ms", batchId,
                    status.succeeded(), status.errored(), status.canceled(), status.expired(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (ClaudeFailure | RetryLater e) {
            LOG.warnf("delivering Message Batch %s stopped (%s); again at the next turn", batchId, e.getMessage());
        } finally {
            store.release("deliver:" + batchId, holder);
        }
    }

    private void failRemaining(String batchId, String reason) {
        for (String id : store.jobsOf(batchId)) {
            UUID jobId = UUID.fromString(id);
            store.get(jobId).filter(e -> batchId.equals(e.batchId())).ifPresent(e -> jobs.failJob(jobId, reason));
        }
    }

    // ------------------------------------------------------------------------------------------
    // cancel

    /** A CANCELLED event for a job: see the class comment for what happens to a batch job. */
    public void cancel(UUID jobId) {
        if (!config.batch().enabled()) {
            return;
        }
        try {
            if (!store.markCancelled(jobId)) {
                return; // not a batch job (or delivered already)
            }
            if (store.unqueue(jobId)) {
                store.remove(jobId);
                LOG.infof("batch job %s cancelled while queued: never submitted", jobId);
                return;
            }
            String batchId = store.get(jobId).map(BatchStore.Entry::batchId).orElse(null);
            if (batchId == null) {
                return; // being submitted right now: its result is dropped when the batch ends
            }
            boolean onlyCancelled = store.jobsOf(batchId).stream().map(UUID::fromString)
                    .allMatch(id -> id.equals(jobId) || store.get(id).map(BatchStore.Entry::cancelled).orElse(true));
            if (onlyCancelled && store.lease("cancel:" + batchId, holder, config.batch().lease())) {
                BatchStatus s = limited(() -> claude.cancelBatch(batchId));
                LOG.infof("Message Batch %s cancelled (only cancelled jobs left in it): %s", batchId, s.processingStatus());
            } else if (!onlyCancelled) {
                LOG.infof("batch job %s cancelled; its Message Batch %s holds other jobs: its result will be dropped",
                        jobId, batchId);
            }
        } catch (RuntimeException e) {
            LOG.warnf("cancelling batch job %s: %s (its result is dropped when its batch ends)", jobId, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------

    /** One request to the batches endpoints, in a slot of the shared request limiter; a 429's wait is shared. */
    private <T> T limited(Supplier<T> call) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            RateLimiter.Decision d = limiter.tryAcquire(0);
            if (d.granted()) {
                sleep(d.reservation().untilSlot());
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new RetryLater("no rate-limit slot for a batches request within 2 minutes", null);
            }
            sleep(d.waitFor().compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : d.waitFor());
        }
        try {
            return call.get();
        } catch (ClaudeFailure f) {
            if (f.kind() == ClaudeFailure.Kind.RATE_LIMITED && f.retryAfter().isPresent()) {
                limiter.blockFor(f.retryAfter().get());
            }
            throw f;
        }
    }

    private void progress(UUID jobId, int attempt, String message) {
        events.progress(new JobEvent(JobEvent.SCHEMA_VERSION, jobId, JobEvent.PROGRESS, JobStatus.RUNNING, "batched",
                null, null, message, attempt, Instant.now()));
    }

    private static void sleep(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryLater("interrupted", e);
        }
    }
}
