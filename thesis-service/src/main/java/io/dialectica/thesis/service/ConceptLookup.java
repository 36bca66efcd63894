package io.dialectica.thesis.service;

import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * One visibility question to concept-service under its fault-tolerance policy: 3 s per call, two
 * retries with exponential backoff and jitter for failures (not for a 404), and a circuit breaker
 * that opens when half of the last 10 calls failed. The policy values are overridable with the usual
 * MicroProfile keys, e.g. {@code io.dialectica.thesis.service.ConceptLookup/fetch/Timeout/value}.
 */
@ApplicationScoped
public class ConceptLookup {

    @Inject
    @RestClient
    ConceptServiceClient client;

    @Timeout(value = 3, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ConceptAccess.NotVisible.class)
    @ExponentialBackoff
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS,
            skipOn = ConceptAccess.NotVisible.class)
    public Uni<Void> fetch(UUID conceptId, String authorization) {
        return client.get(conceptId.toString(), authorization)
                .onFailure(WebApplicationException.class).recoverWithItem(e -> ((WebApplicationException) e).getResponse())
                .map(response -> {
                    int status = response.getStatus();
                    response.close();
                    if (status == 200) {
                        return null;
                    }
                    if (status == 404 || status == 403) {
                        throw new ConceptAccess.NotVisible();
                    }
                    throw new IllegalStateException("concept-service answered " + status);
                });
    }

}
