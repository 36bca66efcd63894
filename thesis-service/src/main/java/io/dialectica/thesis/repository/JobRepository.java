package io.dialectica.thesis.repository;

import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.thesis.model.Job;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class JobRepository implements PanacheRepositoryBase<Job, UUID> {

    /** Loads a job and locks its row until the transaction ends: every change of one job queues up here. */
    public Uni<Job> findForUpdate(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Up to {@code limit} SUCCEEDED jobs (the ones with a result) of {@code requestedBy}, in creation order (ties by id),
     * after the one created at {@code afterCreated} with id {@code afterId} (both null: from the first). A keyset on
     * {@code (created_at, id)}, both immutable, on the index {@code jobs_by_requester}: each page a range.
     */
    public Uni<List<Job>> succeededAfter(String requestedBy, Instant afterCreated, UUID afterId, int limit) {
        return afterCreated == null
                ? find("requestedBy = ?1 and status = ?2 order by createdAt, id", requestedBy, JobStatus.SUCCEEDED)
                        .range(0, limit - 1).list()
                : find("requestedBy = ?1 and status = ?2 and (createdAt > ?3 or (createdAt = ?3 and id > ?4))"
                        + " order by createdAt, id", requestedBy, JobStatus.SUCCEEDED, afterCreated, afterId)
                        .range(0, limit - 1).list();
    }

    public Uni<Job> findByIdempotencyKey(String requestedBy, String key) {
        return find("requestedBy = ?1 and idempotencyKey = ?2", requestedBy, key).firstResult();
    }

    /**
     * Live jobs without a sign of life since {@code runningBefore} (RUNNING) or {@code queuedBefore}
     * (QUEUED), oldest first; a RUNNING batch job only without one since {@code batchRunningBefore} (it waits in a
     * Message Batch, which may take up to 24 hours). Rows another replica's watchdog
     * holds are skipped; each is re-checked under its own lock before anything changes.
     */
    @SuppressWarnings("unchecked")
    public Uni<List<UUID>> stalled(Instant runningBefore, Instant batchRunningBefore, Instant queuedBefore, int limit) {
        return getSession().chain(session -> session.createNativeQuery(
                        "select id from jobs where status in ('QUEUED', 'RUNNING') and last_event_at < :oldest"
                                + " and ((status = 'RUNNING' and priority <> 'batch' and last_event_at < :running)"
                                + " or (status = 'RUNNING' and priority = 'batch' and last_event_at < :batchRunning)"
                                + " or (status = 'QUEUED' and last_event_at < :queued))"
                                + " order by last_event_at limit :limit for update skip locked", UUID.class)
                .setParameter("oldest", runningBefore.isAfter(queuedBefore) ? runningBefore : queuedBefore)
                .setParameter("running", runningBefore)
                .setParameter("batchRunning", batchRunningBefore)
                .setParameter("queued", queuedBefore)
                .setParameter("limit", limit)
                .getResultList());
    }
}
