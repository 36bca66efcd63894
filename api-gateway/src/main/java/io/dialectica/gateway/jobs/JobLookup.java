package io.dialectica.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.gateway.config.GatewayConfig;
import io.dialectica.gateway.proxy.BackendClient;
import io.dialectica.gateway.proxy.BackendRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.mutiny.core.MultiMap;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.UUID;

/**
 * Asks thesis-service whether a subscriber may see a job, and what the job looks like now:
 * {@code GET /api/jobs/{id}} with the subscriber's own token, through the backend's client (its
 * circuit breaker and timeouts) and a lookup timeout of its own. thesis-service decides who may see
 * a job; the gateway only follows its answer.
 */
@ApplicationScoped
public class JobLookup {

    private static final Logger LOG = Logger.getLogger(JobLookup.class);

    /** What thesis-service said. */
    public sealed interface Outcome {
    }

    /** 200: the job as thesis-service returned it, and its status. */
    public record Found(JsonNode job, JobStatus status) implements Outcome {
    }

    /** 403/404: the caller may not see the job, or it does not exist (indistinguishable on purpose). */
    public record NotFound() implements Outcome {
    }

    /** 401: thesis-service refused the token (expired meanwhile, or revoked). */
    public record Unauthorized() implements Outcome {
    }

    /** Anything else: thesis-service down, slow, or a malformed answer. */
    public record Unavailable(String reason) implements Outcome {
    }

    private final BackendRegistry backends;
    private final ObjectMapper mapper;
    private final String backend;
    private final Duration timeout;

    public JobLookup(BackendRegistry backends, ObjectMapper mapper, GatewayConfig config) {
        this.backends = backends;
        this.mapper = mapper;
        this.backend = config.jobs().backend();
        this.timeout = config.jobs().lookupTimeout();
        if (config.backends().get(backend) == null) {
            throw new IllegalStateException("gateway.jobs.backend names '" + backend
                    + "', which is not a configured backend (gateway.backends.*)");
        }
    }

    public Uni<Outcome> lookup(UUID jobId, String rawToken, String requestId) {
        BackendClient client = backends.get(backend);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer " + rawToken)
                .add("Accept", "application/json")
                .add("X-Request-Id", requestId);
        return client.send(HttpMethod.GET, "/api/jobs/" + jobId, headers, null)
                .ifNoItem().after(timeout).fail()
                .map(response -> switch (response.statusCode()) {
                    case 200 -> found(response.bodyAsString());
                    case 403, 404 -> (Outcome) new NotFound();
                    case 401 -> new Unauthorized();
                    default -> new Unavailable(backend + " answered " + response.statusCode());
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("job lookup %s at %s failed: %s", jobId, backend, failure.toString());
                    return new Unavailable(backend + " did not answer");
                });
    }

    private Outcome found(String body) {
        try {
            JsonNode job = body == null ? null : mapper.readTree(body);
            JsonNode status = job == null ? null : job.get("status");
            if (status == null || !status.isTextual()) {
                return new Unavailable(backend + " answered a job without a status");
            }
            return new Found(job, JobStatus.valueOf(status.asText()));
        } catch (IllegalArgumentException | java.io.IOException e) {
            return new Unavailable(backend + " answered a job the gateway cannot read");
        }
    }
}
