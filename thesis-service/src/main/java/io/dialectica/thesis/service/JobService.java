package io.dialectica.thesis.service;

import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.dialectica.thesis.config.ThesisConfig;
import io.dialectica.thesis.kafka.OutboxRelay;
import io.dialectica.thesis.mapping.JobMapper;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.model.ThesisRow;
import io.dialectica.thesis.repository.InteractionRepository;
import io.dialectica.thesis.repository.JobRepository;
import io.dialectica.thesis.repository.SynthesisRepository;
import io.dialectica.thesis.repository.ThesisRepository;
import io.dialectica.thesis.rest.dto.BudgetView;
import io.dialectica.thesis.rest.dto.JobView;
import io.dialectica.thesis.rest.dto.SynthesisView;
import io.dialectica.thesis.rest.dto.ThesesView;
import io.dialectica.service.reactive.RunsToCompletion;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import org.hibernate.JDBCException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The job API: create (with Idempotency-Key), read, cancel, and read results. Every change is one
 * transaction that also writes its outbox rows; the relay is woken after the commit.
 */
@ApplicationScoped
@RunsToCompletion
public class JobService {

    /** A created or replayed job; {@code replayed} when an Idempotency-Key found an earlier one. */
    public record Created(JobView job, boolean replayed) {
    }

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
    OutboxRelay relay;

    @Inject
    ConceptAccess concepts;

    @Inject
    ThesisConfig config;

    @Inject
    Budgets budgets;

    public Uni<Created> create(Caller caller, String authorization, JobCommand command, String idempotencyKey) {
        String fingerprint = Fingerprint.of(command);
        Uni<Created> replay = idempotencyKey == null ? Uni.createFrom().nullItem()
                : Panache.withSession(() -> jobs.findByIdempotencyKey(caller.subject(), idempotencyKey))
                        .map(existing -> existing == null ? null : replayOf(existing, fingerprint));
        return replay.chain(found -> found != null ? Uni.createFrom().item(found)
                : checkVisible(command, authorization)
                        .chain(() -> insert(caller, command, idempotencyKey, fingerprint))
                        .invoke(relay::wake)
                        .map(job -> new Created(view(job), false))
                        .onFailure(e -> idempotencyKey != null && isUniqueViolation(e)).recoverWithUni(e ->
                                // a concurrent request with the same key won the race: answer with its job
                                Panache.withSession(() -> jobs.findByIdempotencyKey(caller.subject(), idempotencyKey))
                                        .map(existing -> replayOf(existing, fingerprint))));
    }

    private Created replayOf(Job existing, String fingerprint) {
        if (!existing.requestFingerprint.equals(fingerprint)) {
            throw ThesisProblems.idempotencyKeyReused();
        }
        return new Created(view(existing), true);
    }

    private Uni<Void> checkVisible(JobCommand command, String authorization) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        List<UUID> ids = command.conceptIds();
        for (int i = 0; i < ids.size(); i++) {
            String field = command.type() == JobType.THESES ? "id" : "conceptIds[" + i + "]";
            UUID id = ids.get(i);
            chain = chain.chain(() -> concepts.requireVisible(field, id, authorization));
        }
        return chain;
    }

    private Uni<Job> insert(Caller caller, JobCommand command, String idempotencyKey, String fingerprint) {
        Instant now = now();
        Job job = new Job();
        job.id = UUID.randomUUID();
        job.type = command.type();
        job.requestedBy = caller.subject();
        job.conceptIds = command.conceptIds().toArray(UUID[]::new);
        job.count = command.count();
        job.language = command.language();
        job.mode = command.mode();
        job.priority = command.priority();
        job.status = JobStatus.QUEUED;
        job.attempts = 0;
        job.dispatches = 1;
        job.idempotencyKey = idempotencyKey;
        job.requestFingerprint = fingerprint;
        job.createdAt = now;
        job.updatedAt = now;
        job.lastEventAt = now;
        job.version = 1;
        // the budget check, the job, its request and its QUEUED event commit together, or none of them does:
        // a user over budget gets BudgetExceeded (402) and nothing is written or published
        return Panache.withTransaction(() -> budgets.reserve(job).chain(() -> jobs.persist(job))
                .chain(() -> outbox.request(job))
                .chain(() -> outbox.event(job, JobEvent.STATUS, "queued", null))
                .replaceWith(job));
    }

    public Uni<JobView> get(Caller caller, UUID id) {
        return Panache.withSession(() -> visibleJob(caller, id)).map(this::view);
    }

    /** A user's budget this month: the user themself or an admin (others: 403). */
    public Uni<BudgetView> budget(Caller caller, String user) {
        if (!caller.admin() && !caller.subject().equals(user)) {
            throw ApiProblem.forbidden("only " + user + " and admins may read " + user + "'s budget");
        }
        return Panache.withSession(() -> budgets.view(user));
    }

    /** Sets (admins only) a user's monthly budget, or with {@code monthlyUsd} null removes it (the default again). */
    public Uni<BudgetView> setBudget(Caller caller, String user, BigDecimal monthlyUsd) {
        if (!caller.admin()) {
            throw ApiProblem.forbidden("only admins may set budgets");
        }
        return Panache.withTransaction(() -> budgets.set(user, monthlyUsd, caller.subject()));
    }

    /** QUEUED or RUNNING → CANCELLED (and a CANCELLED event for the worker and subscribers); terminal → 409. */
    public Uni<JobView> cancel(Caller caller, UUID id) {
        return Panache.withTransaction(() -> jobs.findForUpdate(id).chain(job -> {
                    if (job == null || !mayRead(caller, job)) {
                        throw ApiProblem.notFound("job " + id);
                    }
                    if (job.status.terminal()) {
                        throw ApiProblem.conflict("status", "job " + id + " is already " + job.status
                                + "; only QUEUED or RUNNING jobs can be cancelled");
                    }
                    job.finish(JobStatus.CANCELLED, null, now());
                    job.lastMessage = "cancelled by " + caller.subject();
                    // no result will be stored: the hold is released (what the calls so far cost is not known)
                    return budgets.settle(job, null)
                            .chain(() -> outbox.event(job, JobEvent.STATUS, job.lastMessage, null)).replaceWith(job);
                }))
                .invoke(relay::wake)
                .map(this::view);
    }

    /** The caller's theses about a concept (an admin's: everybody's), grouped by job, newest job first. */
    public Uni<ThesesView> theses(Caller caller, UUID conceptId, UUID jobId) {
        return Panache.withSession(() -> {
            StringBuilder where = new StringBuilder("type = ?1 and status = ?2 and id in "
                    + "(select t.jobId from ThesisRow t where t.conceptId = ?3)");
            List<Object> params = new ArrayList<>(List.of(JobType.THESES, JobStatus.SUCCEEDED, conceptId));
            if (!caller.admin()) {
                params.add(caller.subject());
                where.append(" and requestedBy = ?").append(params.size());
            }
            if (jobId != null) {
                params.add(jobId);
                where.append(" and id = ?").append(params.size());
            }
            where.append(" order by createdAt desc, id");
            return jobs.list(where.toString(), params.toArray()).chain(found -> {
                if (jobId != null && found.isEmpty()) {
                    throw ApiProblem.notFound("theses of job " + jobId + " for concept " + conceptId);
                }
                return theses.byJobs(found.stream().map(j -> j.id).toList()).map(rows -> {
                    Map<UUID, List<ThesesView.Item>> byJob = new LinkedHashMap<>();
                    for (ThesisRow row : rows) {
                        byJob.computeIfAbsent(row.jobId, k -> new ArrayList<>()).add(new ThesesView.Item(row.order,
                                row.text, row.rationale, Arrays.asList(row.categories)));
                    }
                    List<ThesesView.Group> groups = found.stream().map(j -> new ThesesView.Group(j.id, j.language,
                            j.generatedBy, j.cacheHit, j.promptVersion, j.createdAt, j.finishedAt,
                            byJob.getOrDefault(j.id, List.of()))).toList();
                    return new ThesesView(conceptId, groups);
                });
            });
        });
    }

    public Uni<SynthesisView> synthesis(Caller caller, UUID id) {
        return Panache.withSession(() -> syntheses.findById(id).chain(synthesis -> {
            if (synthesis == null) {
                throw ApiProblem.notFound("synthesis " + id);
            }
            return jobs.findById(synthesis.jobId).chain(job -> {
                if (job == null || !mayRead(caller, job)) {
                    throw ApiProblem.notFound("synthesis " + id);
                }
                return interactions.byJob(job.id).map(calls -> JobMapper.toView(synthesis, job, calls));
            });
        }));
    }

    private Uni<Job> visibleJob(Caller caller, UUID id) {
        return jobs.findById(id).map(job -> {
            if (job == null || !mayRead(caller, job)) {
                // someone else's job looks exactly like a missing one
                throw ApiProblem.notFound("job " + id);
            }
            return job;
        });
    }

    static boolean mayRead(Caller caller, Job job) {
        return caller.admin() || job.requestedBy.equals(caller.subject());
    }

    private JobView view(Job job) {
        return JobMapper.toView(job, config.progressUrl());
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && "23505".equals(pg.getSqlState())
                    || t instanceof JDBCException jdbc && "23505".equals(jdbc.getSQLState())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Microseconds, as PostgreSQL stores them: a value read back equals the value written. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
