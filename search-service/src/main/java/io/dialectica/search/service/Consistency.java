package io.dialectica.search.service;

import io.dialectica.contracts.Lsn;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.progress.StoreProgress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Read-your-writes for a read carrying {@code X-Consistency-Token}, on any replica (README, "Read-your-writes"):
 *
 * <ol>
 *   <li>wait (no thread blocked) until the index has <b>applied</b> the token on every partition —
 *       {@link StoreProgress}, fed by this replica's projector, the other replicas' notifications and, failing
 *       those, the progress documents read from the index;</li>
 *   <li>make sure a refresh that started after that covers it (a coalesced explicit refresh, {@link Refresher}) —
 *       skipped on the first try when the token was already applied on arrival (an earlier refresh, OpenSearch's
 *       own every second, usually covered it);</li>
 *   <li>run the read with the progress documents in the same request; answer only when <b>they</b> — what the
 *       searcher that ran the query holds — cover the token. Otherwise refresh and try again, until the
 *       consistency wait is over: then 504 projection-behind.</li>
 * </ol>
 * So a token read never answers from a state older than its token, whichever replica applied the write, and a
 * cached view that is wrong can only delay it.
 */
@ApplicationScoped
public class Consistency {

    /** A read's answer and the low watermark its own searcher proved. */
    public record Verified<T>(T value, long low) {
    }

    private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

    private final StoreProgress view;
    private final Refresher refresher;
    private final SearchConfig config;
    private final Timer answered;
    private final Timer behind;
    private final Counter rechecks;
    private final Timer appliedWait;
    private final Timer query;

    public Consistency(StoreProgress view, Refresher refresher, SearchConfig config, MeterRegistry registry) {
        this.view = view;
        this.refresher = refresher;
        this.config = config;
        this.answered = timer(registry, "answered");
        this.behind = timer(registry, "behind");
        this.rechecks = Counter.builder("dialectica.search.token.rechecks")
                .description("Token reads whose own answer did not cover the token yet (refreshed and read again)")
                .register(registry);
        this.appliedWait = Timer.builder("dialectica.search.token.applied.wait")
                .description("Token reads: arrival to the index having applied the token on every partition "
                        + "(as this replica's view learns it)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.query = Timer.builder("dialectica.search.token.query")
                .description("Token reads: one query with its progress documents, sent to answered")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }

    private static Timer timer(MeterRegistry registry, String outcome) {
        return Timer.builder("dialectica.search.token.read").tag("outcome", outcome)
                .description("Token reads: arrival to an answer that covers the token (answered) or to the 504 (behind)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }

    /** Answers {@code attempt}'s value once its own low watermark covers {@code token}; 504 after the wait. */
    public <T> Uni<T> read(long token, Supplier<Uni<Verified<T>>> attempt) {
        long started = System.nanoTime();
        long deadline = started + config.consistencyWait().toNanos();
        Supplier<Uni<Verified<T>>> timed = () -> {
            long sent = System.nanoTime();
            return attempt.get().onItem().invoke(() -> query.record(Duration.ofNanos(System.nanoTime() - sent)));
        };
        return step(token, timed, deadline, true, started)
                .onItemOrFailure().invoke((item, failure) -> {
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    (item != null ? answered : behind).record(took);
                })
                .map(Verified::value);
    }

    private <T> Uni<Verified<T>> step(long token, Supplier<Uni<Verified<T>>> attempt, long deadline,
            boolean firstTry, long started) {
        boolean applied = view.appliedLow() >= token;
        Uni<Boolean> ready = applied ? Uni.createFrom().item(true)
                : Uni.createFrom().completionStage(() -> view.awaitApplied(token, remaining(deadline)));
        return ready.chain(ok -> {
            if (firstTry && ok) {
                appliedWait.record(Duration.ofNanos(System.nanoTime() - started));
            }
            if (!ok) {
                return Uni.createFrom().failure(() -> projectionBehind(token));
            }
            Uni<Verified<T>> tried = applied && firstTry ? attempt.get() : refresher.refresh().chain(() -> attempt.get());
            return tried.chain(result -> {
                if (result.low() >= token) {
                    return Uni.createFrom().item(result);
                }
                rechecks.increment();
                if (remaining(deadline).compareTo(RETRY_PAUSE) <= 0) {
                    return Uni.createFrom().failure(() -> projectionBehind(token));
                }
                Uni<Verified<T>> again = Uni.createFrom().deferred(() -> step(token, attempt, deadline, false, started));
                return firstTry ? again : Uni.createFrom().voidItem().onItem().delayIt().by(RETRY_PAUSE).chain(() -> again);
            });
        });
    }

    private static Duration remaining(long deadline) {
        long nanos = deadline - System.nanoTime();
        return nanos <= 0 ? Duration.ZERO : Duration.ofNanos(nanos);
    }

    private RuntimeException projectionBehind(long token) {
        return SearchProblems.projectionBehind(Lsn.format(token), Lsn.format(view.appliedLow()),
                config.consistencyWait().toMillis());
    }
}
