package io.dialectica.thesis.repository;

import io.dialectica.thesis.model.Interaction;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class InteractionRepository implements PanacheRepositoryBase<Interaction, Long> {

    public Uni<List<Interaction>> byJob(UUID jobId) {
        return list("jobId = ?1 order by id", jobId);
    }

    /** The calls behind these jobs' results, in the order they were stored. */
    public Uni<List<Interaction>> byJobs(List<UUID> jobIds) {
        if (jobIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("jobId in ?1 order by id", jobIds);
    }
}
