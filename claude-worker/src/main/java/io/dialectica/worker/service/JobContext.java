package io.dialectica.worker.service;

import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.worker.claude.CallHandle;
import io.dialectica.worker.kafka.EventPublisher;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * One running job on one worker thread: publishes its progress (phase changes at once, token counts
 * at most every {@code progressInterval} while tokens arrive) and can be cancelled from another
 * thread, which aborts a running stream and wakes a waiting thread.
 */
public final class JobContext {

    private final UUID jobId;
    private final int attempt;
    private final EventPublisher publisher;
    private final long intervalNanos;
    private volatile boolean cancelled;
    private volatile CallHandle call;
    private volatile Thread thread;
    private volatile String phase;
    private long lastProgressNanos;
    private int lastTokens = -1;
    private int progressEvents;

    public JobContext(UUID jobId, int attempt, EventPublisher publisher, Duration progressInterval) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.publisher = publisher;
        this.intervalNanos = progressInterval.toNanos();
    }

    public UUID jobId() {
        return jobId;
    }

    public int attempt() {
        return attempt;
    }

    void bind(Thread t) {
        this.thread = t;
    }

    public void status(JobStatus status, String message) {
        publisher.progress(new JobEvent(JobEvent.SCHEMA_VERSION, jobId, JobEvent.STATUS, status, null, null, null,
                message, attempt, Instant.now()));
    }

    /** A phase change: always published. */
    public void phase(String newPhase, Integer outputTokens, String message) {
        this.phase = newPhase;
        emit(newPhase, outputTokens, message);
    }

    /** Tokens so far while streaming: published when the interval has passed since the last event. */
    public void tokens(int outputTokens) {
        long now = System.nanoTime();
        if (outputTokens != lastTokens && now - lastProgressNanos >= intervalNanos) {
            emit(phase == null ? "generating" : phase, outputTokens, null);
        }
    }

    /** A transient problem the worker is handling (retry): an {@code error} event, status still RUNNING. */
    public void transientError(String message) {
        publisher.progress(new JobEvent(JobEvent.SCHEMA_VERSION, jobId, JobEvent.ERROR, JobStatus.RUNNING, phase, null,
                null, message, attempt, Instant.now()));
    }

    private synchronized void emit(String p, Integer tokens, String message) {
        lastProgressNanos = System.nanoTime();
        if (tokens != null) {
            lastTokens = tokens;
        }
        progressEvents++;
        publisher.progress(new JobEvent(JobEvent.SCHEMA_VERSION, jobId, JobEvent.PROGRESS, JobStatus.RUNNING, p, tokens,
                null, message, attempt, Instant.now()));
    }

    public int progressEvents() {
        return progressEvents;
    }

    public void onCall(CallHandle handle) {
        this.call = handle;
        if (handle != null && cancelled) {
            handle.abort();
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    public void checkCancelled() {
        if (cancelled) {
            throw new JobCancelled(jobId.toString());
        }
    }

    /** Sleeps, unless or until the job is cancelled. */
    public void sleep(Duration d) {
        checkCancelled();
        try {
            Thread.sleep(d.isNegative() ? Duration.ZERO : d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (cancelled) {
                Thread.interrupted();
                throw new JobCancelled(jobId.toString());
            }
            throw new RetryLater("interrupted while waiting", e);
        }
        checkCancelled();
    }

    public void cancel() {
        cancelled = true;
        CallHandle c = call;
        if (c != null) {
            c.abort();
        }
        Thread t = thread;
        if (t != null && c == null) {
            t.interrupt();
        }
    }
}
