package io.dialectica.thesis.repository;

import io.dialectica.thesis.model.Synthesis;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class SynthesisRepository implements PanacheRepositoryBase<Synthesis, UUID> {

    /** The syntheses of these jobs (a synthesis' id is its job's id). */
    public Uni<List<Synthesis>> byJobs(List<UUID> jobIds) {
        if (jobIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("jobId in ?1", jobIds);
    }
}
