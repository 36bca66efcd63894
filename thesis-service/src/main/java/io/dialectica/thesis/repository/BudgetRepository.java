package io.dialectica.thesis.repository;

import io.dialectica.thesis.model.Budget;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Budgets (an entity per user who has one) and the spending of a user in a budget month (native SQL on
 * {@code spending}: one row per user and month, locked by whoever reads it to change it).
 */
@ApplicationScoped
public class BudgetRepository implements PanacheRepositoryBase<Budget, String> {

    /** Spent and held USD of a user in a month, and the number of jobs charged to it. */
    public record Spending(BigDecimal spentUsd, BigDecimal heldUsd, long jobs) {
        public static final Spending NONE = new Spending(BigDecimal.ZERO, BigDecimal.ZERO, 0);
    }

    /**
     * The user's spending row of the month, created when missing and locked until the transaction ends
     * (an upsert's row lock: a concurrent request of the same user waits here, then sees this one's result).
     */
    public Uni<Spending> lockSpending(String user, LocalDate month, Instant now) {
        return getSession().chain(s -> s.createNativeQuery("insert into spending (user_id, month, updated_at) "
                        + "values (:user, :month, :now) on conflict (user_id, month) do update set updated_at = excluded.updated_at "
                        + "returning spent_usd, held_usd, jobs", Object[].class)
                .setParameter("user", user).setParameter("month", month).setParameter("now", now)
                .getSingleResult())
                .map(BudgetRepository::spending);
    }

    /** The spending of a user in a month without locking it (a view). */
    public Uni<Spending> spending(String user, LocalDate month) {
        return getSession().chain(s -> s.createNativeQuery("select spent_usd, held_usd, jobs from spending "
                        + "where user_id = :user and month = :month", Object[].class)
                .setParameter("user", user).setParameter("month", month)
                .getResultList())
                .map(rows -> rows.isEmpty() ? Spending.NONE : spending(rows.getFirst()));
    }

    /** Adds to a month's spending (negative amounts release what was held); the row must exist. */
    public Uni<Integer> add(String user, LocalDate month, BigDecimal spent, BigDecimal held, int jobs, Instant now) {
        return getSession().chain(s -> s.createNativeQuery("update spending set spent_usd = spent_usd + :spent, "
                        + "held_usd = greatest(held_usd + :held, 0), jobs = jobs + :jobs, updated_at = :now "
                        + "where user_id = :user and month = :month")
                .setParameter("spent", spent).setParameter("held", held).setParameter("jobs", jobs)
                .setParameter("now", now).setParameter("user", user).setParameter("month", month)
                .executeUpdate());
    }

    private static Spending spending(Object[] row) {
        return new Spending(decimal(row[0]), decimal(row[1]), ((Number) row[2]).longValue());
    }

    private static BigDecimal decimal(Object o) {
        return o instanceof BigDecimal d ? d : new BigDecimal(o.toString());
    }
}
