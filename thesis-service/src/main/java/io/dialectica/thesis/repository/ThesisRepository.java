package io.dialectica.thesis.repository;

import io.dialectica.thesis.model.ThesisRow;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class ThesisRepository implements PanacheRepositoryBase<ThesisRow, ThesisRow.Key> {

    public Uni<List<ThesisRow>> byJobs(List<UUID> jobIds) {
        if (jobIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("jobId in ?1 order by jobId, order", jobIds);
    }

    public Uni<Long> countByJob(UUID jobId) {
        return count("jobId", jobId);
    }
}
