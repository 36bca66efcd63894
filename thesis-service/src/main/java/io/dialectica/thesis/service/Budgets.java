package io.dialectica.thesis.service;

import io.dialectica.thesis.config.ThesisConfig;
import io.dialectica.thesis.model.Budget;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.repository.BudgetRepository;
import io.dialectica.thesis.repository.BudgetRepository.Spending;
import io.dialectica.thesis.rest.dto.BudgetView;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;

import static io.dialectica.thesis.mapping.JobMapper.plain;

/**
 * Monthly budgets per user. Every job request (in the job's own transaction, before anything is written)
 * locks its user's spending row of the current month and is refused with {@link BudgetExceeded} when what was
 * spent plus what running jobs hold has reached the budget; an accepted job holds
 * {@code budget.hold-usd} of it. The job's result settles it at its real cost (the price table applied to
 * its usage, which claude-worker reports): the hold is released and the cost added to the month the job was
 * requested in. A job that ends without a result (cancelled, dead-lettered, given up by the watchdog) only
 * releases its hold. A response-cache hit costs 0. The month is the calendar month in {@code budget.zone};
 * the budget resets at its end.
 */
@ApplicationScoped
public class Budgets {

    private static final Logger LOG = Logger.getLogger(Budgets.class);

    @Inject
    BudgetRepository repository;

    @Inject
    ThesisConfig config;

    @Inject
    BudgetClock clock;

    @Inject
    MeterRegistry metrics;

    /** A budget month: its first day, and when it starts and ends (the reset). */
    public record Period(LocalDate month, Instant start, Instant resetAt) {
    }

    public Period period(Instant at) {
        ZonedDateTime z = at.atZone(config.budget().zone());
        LocalDate month = z.toLocalDate().withDayOfMonth(1);
        return new Period(month, month.atStartOfDay(config.budget().zone()).toInstant(),
                month.plusMonths(1).atStartOfDay(config.budget().zone()).toInstant());
    }

    /** The user's monthly budget: their own, else the default; {@code own} tells which. */
    public Uni<BudgetView.Limit> limit(String user) {
        return repository.findById(user).map(b -> b == null
                ? new BudgetView.Limit(config.budget().defaultMonthlyUsd(), false, null, null)
                : new BudgetView.Limit(b.monthlyUsd, true, b.setBy, b.updatedAt));
    }

    /**
     * Checks the job's user against their budget and holds {@code hold-usd} for the job; inside the job's
     * transaction (a refusal rolls it back: no job, no outbox row, no Kafka record).
     */
    public Uni<Void> reserve(Job job) {
        Instant now = clock.now();
        Period period = period(now);
        job.budgetMonth = period.month();
        job.heldUsd = BigDecimal.ZERO;
        if (!config.budget().enabled()) {
            return Uni.createFrom().voidItem();
        }
        return repository.lockSpending(job.requestedBy, period.month(), now)
                .chain(spending -> limit(job.requestedBy).chain(limit -> {
                    BigDecimal used = spending.spentUsd().add(spending.heldUsd());
                    if (used.compareTo(limit.monthlyUsd()) >= 0) {
                        metrics.counter("dialectica.budget.refusals").increment();
                        LOG.infof("job request of %s refused: budget USD %s, spent %s, held %s", job.requestedBy,
                                limit.monthlyUsd().toPlainString(), spending.spentUsd().toPlainString(),
                                spending.heldUsd().toPlainString());
                        throw new BudgetExceeded(job.requestedBy, limit.monthlyUsd(), spending.spentUsd(),
                                spending.heldUsd(), period.resetAt(), now);
                    }
                    job.heldUsd = config.budget().holdUsd();
                    return repository.add(job.requestedBy, period.month(), BigDecimal.ZERO, job.heldUsd, 1, now)
                            .replaceWithVoid();
                }));
    }

    /**
     * Settles a job that ended: its hold is released and {@code cost} (null: unknown, nothing is charged)
     * added to the month it was charged to; inside the transaction that finishes the job (under its lock).
     */
    public Uni<Void> settle(Job job, BigDecimal cost) {
        BigDecimal held = job.heldUsd == null ? BigDecimal.ZERO : job.heldUsd;
        BigDecimal spent = cost == null ? BigDecimal.ZERO : cost;
        job.heldUsd = BigDecimal.ZERO;
        if (job.budgetMonth == null || (held.signum() == 0 && spent.signum() == 0)) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.now();
        return repository.lockSpending(job.requestedBy, job.budgetMonth, now)
                .chain(() -> repository.add(job.requestedBy, job.budgetMonth, spent, held.negate(), 0, now))
                .replaceWithVoid();
    }

    /** The user's budget this month. */
    public Uni<BudgetView> view(String user) {
        Period period = period(clock.now());
        return limit(user).chain(limit -> repository.spending(user, period.month())
                .map(spending -> view(user, limit, spending, period)));
    }

    /** Sets (or, {@code monthlyUsd} null, removes) a user's own budget; returns the budget this month. */
    public Uni<BudgetView> set(String user, BigDecimal monthlyUsd, String by) {
        Uni<Void> change = repository.findById(user).chain(existing -> {
            if (monthlyUsd == null) {
                return existing == null ? Uni.createFrom().voidItem() : repository.delete(existing);
            }
            Budget b = existing == null ? new Budget() : existing;
            b.userId = user;
            b.monthlyUsd = monthlyUsd;
            b.setBy = by;
            b.updatedAt = JobService.now();
            return existing == null ? repository.persist(b).replaceWithVoid() : Uni.createFrom().voidItem();
        });
        return change.chain(() -> repository.flush()).chain(() -> view(user));
    }

    private static BudgetView view(String user, BudgetView.Limit limit, Spending spending, Period period) {
        BigDecimal remaining = limit.monthlyUsd().subtract(spending.spentUsd()).subtract(spending.heldUsd())
                .max(BigDecimal.ZERO);
        return new BudgetView(user, plain(limit.monthlyUsd()), limit.own() ? "user" : "default", limit.setBy(),
                limit.updatedAt(), plain(spending.spentUsd()), plain(spending.heldUsd()), plain(remaining),
                spending.jobs(), period.start(), period.resetAt(),
                spending.spentUsd().add(spending.heldUsd()).compareTo(limit.monthlyUsd()) >= 0);
    }
}
