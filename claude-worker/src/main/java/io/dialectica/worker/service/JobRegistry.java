package io.dialectica.worker.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Jobs running on this replica, and recently cancelled job ids (a request may arrive after its cancel). */
@ApplicationScoped
public class JobRegistry {

    private static final int REMEMBERED = 10_000;

    private final Map<UUID, JobContext> running = new ConcurrentHashMap<>();
    private final Map<UUID, Boolean> cancelled = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    void register(JobContext job) {
        running.put(job.jobId(), job);
    }

    void remove(JobContext job) {
        running.remove(job.jobId(), job);
    }

    /** A CANCELLED event: abort the job if it runs here, and skip it if it arrives later. */
    public void cancel(UUID jobId) {
        synchronized (cancelled) {
            cancelled.put(jobId, Boolean.TRUE);
        }
        JobContext job = running.get(jobId);
        if (job != null) {
            job.cancel();
        }
    }

    public boolean wasCancelled(UUID jobId) {
        synchronized (cancelled) {
            return cancelled.containsKey(jobId);
        }
    }

    public int running() {
        return running.size();
    }
}
