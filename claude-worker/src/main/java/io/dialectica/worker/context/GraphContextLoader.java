package io.dialectica.worker.context;

import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.context.GraphModels.Centrality;
import io.dialectica.worker.context.GraphModels.ConceptGraph;
import io.dialectica.worker.context.GraphModels.Related;
import io.dialectica.worker.context.GraphModels.Similar;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Reads a concept's graph from graph-service with the worker's service token. A 404 right after a
 * concept was created is usually projection lag (the CDC pipeline has not applied it yet): it is retried
 * a few times (≈ 3 s in all) before the concept counts as missing. 5xx and connection failures are
 * retried as well and count towards the circuit breaker; 404 does not.
 * Every value here can be tuned by MicroProfile FT config, e.g.
 * {@code io.dialectica.worker.context.GraphContextLoader/concept/Retry/maxRetries=8}.
 */
@ApplicationScoped
public class GraphContextLoader {

    private final GraphServiceClient client;
    private final ServiceToken token;
    private final WorkerConfig config;

    public GraphContextLoader(@RestClient GraphServiceClient client, ServiceToken token, WorkerConfig config) {
        this.client = client;
        this.token = token;
        this.config = config;
    }

    @Retry(maxRetries = 6, delay = 250, jitter = 100, delayUnit = ChronoUnit.MILLIS,
            retryOn = { NotYetProjected.class, GraphUnavailable.class })
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            skipOn = { NotYetProjected.class, GraphRefused.class })
    public ConceptGraph concept(UUID id) {
        return call(id, () -> client.concept(id, token.authorization()));
    }

    @Retry(maxRetries = 6, delay = 250, jitter = 100, delayUnit = ChronoUnit.MILLIS,
            retryOn = { NotYetProjected.class, GraphUnavailable.class })
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            skipOn = { NotYetProjected.class, GraphRefused.class })
    public Centrality centrality(UUID id) {
        return call(id, () -> client.centrality(id, config.graph().centralityLimit(), token.authorization()));
    }

    @Retry(maxRetries = 3, delay = 250, jitter = 100, delayUnit = ChronoUnit.MILLIS,
            retryOn = { NotYetProjected.class, GraphUnavailable.class })
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            skipOn = { NotYetProjected.class, GraphRefused.class })
    public Related related(UUID id) {
        return call(id, () -> client.related(id, config.graph().relatedLimit(), token.authorization()));
    }

    /**
     * Enrichment only: one quick try, no retries of a 404 (a graph-service without /similar, or a concept not
     * projected yet, simply gives no similar concepts); failures count towards the breaker as the others do.
     */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            skipOn = { NotYetProjected.class, GraphRefused.class })
    public Similar similar(UUID id, int limit) {
        return call(id, () -> client.similar(id, limit, token.authorization()));
    }

    private static <T> T call(UUID id, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (WebApplicationException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatus();
            if (status == 404) {
                throw new NotYetProjected(id);
            }
            if (status >= 500 || status == 429) {
                throw new GraphUnavailable("graph-service answered " + status + " for concept " + id, e);
            }
            throw new GraphRefused("graph-service refused concept " + id + " with status " + status, e);
        } catch (ProcessingException e) {
            throw new GraphUnavailable("graph-service unreachable: " + e.getMessage(), e);
        }
    }

    /** 404: not projected yet, or not there at all once the retries are used up. */
    public static final class NotYetProjected extends RuntimeException {
        public NotYetProjected(UUID id) {
            super("concept " + id + " is not in graph-service (not found, or not projected yet)");
        }
    }

    /** 5xx, 429, I/O: transient. */
    public static final class GraphUnavailable extends RuntimeException {
        public GraphUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Another 4xx (401/403/400): a configuration problem, not worth a retry. */
    public static final class GraphRefused extends RuntimeException {
        public GraphRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
