package io.dialectica.thesis.service;

import io.dialectica.contracts.generation.JobType;
import io.dialectica.service.reactive.RunsToCompletion;
import io.dialectica.thesis.mapping.JobMapper;
import io.dialectica.thesis.model.Interaction;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.model.Synthesis;
import io.dialectica.thesis.model.ThesisRow;
import io.dialectica.thesis.repository.InteractionRepository;
import io.dialectica.thesis.repository.JobRepository;
import io.dialectica.thesis.repository.SynthesisRepository;
import io.dialectica.thesis.repository.ThesisRepository;
import io.dialectica.thesis.rest.dto.ExportedThesis;
import io.dialectica.thesis.rest.dto.SynthesisView;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One page of a user's results for the export: their SUCCEEDED jobs after a keyset position, with the theses and
 * syntheses those jobs produced, in four statements (jobs, theses, syntheses, interactions) whatever the page holds.
 * Each page is its own session, run to completion even when the client goes away (a session cancelled half-way
 * would leak its connection: {@link RunsToCompletion}).
 */
@ApplicationScoped
@RunsToCompletion
public class ResultPages {

    /** A page: its results in job order, and where the next page starts (null when this one was the last). */
    public record Page(List<Object> results, Instant lastCreatedAt, UUID lastId, boolean last) {
    }

    @Inject
    JobRepository jobs;

    @Inject
    ThesisRepository theses;

    @Inject
    SynthesisRepository syntheses;

    @Inject
    InteractionRepository interactions;

    /** Up to {@code size} jobs of {@code owner} after (createdAt, id); null createdAt: from the first. */
    public Uni<Page> page(String owner, Instant afterCreated, UUID afterId, int size) {
        return Panache.withSession(() -> jobs.succeededAfter(owner, afterCreated, afterId, size).chain(found -> {
            List<UUID> thesisJobs = found.stream().filter(j -> j.type == JobType.THESES).map(j -> j.id).toList();
            List<UUID> synthesisJobs = found.stream().filter(j -> j.type == JobType.SYNTHESIS).map(j -> j.id).toList();
            return theses.byJobs(thesisJobs).chain(thesisRows -> syntheses.byJobs(synthesisJobs)
                    .chain(synthesisRows -> interactions.byJobs(synthesisJobs)
                            .map(calls -> assemble(found, thesisRows, synthesisRows, calls, size))));
        }));
    }

    private static Page assemble(List<Job> found, List<ThesisRow> thesisRows, List<Synthesis> synthesisRows,
            List<Interaction> calls, int size) {
        Map<UUID, List<ThesisRow>> thesesByJob = new HashMap<>();
        thesisRows.forEach(t -> thesesByJob.computeIfAbsent(t.jobId, k -> new ArrayList<>()).add(t));
        Map<UUID, Synthesis> synthesisByJob = new HashMap<>();
        synthesisRows.forEach(s -> synthesisByJob.put(s.jobId, s));
        Map<UUID, List<Interaction>> callsByJob = new HashMap<>();
        calls.forEach(c -> callsByJob.computeIfAbsent(c.jobId, k -> new ArrayList<>()).add(c));

        List<Object> results = new ArrayList<>();
        for (Job job : found) {
            if (job.type == JobType.THESES) {
                // byJobs answers them by job, then order
                for (ThesisRow t : thesesByJob.getOrDefault(job.id, List.of())) {
                    results.add(new ExportedThesis(job.id, t.conceptId, t.order, t.text, t.rationale,
                            Arrays.asList(t.categories), job.language, job.generatedBy, job.cacheHit, job.promptVersion,
                            job.createdAt, job.finishedAt));
                }
            } else {
                Synthesis synthesis = synthesisByJob.get(job.id);
                if (synthesis != null) {
                    SynthesisView view = JobMapper.toView(synthesis, job, callsByJob.getOrDefault(job.id, List.of()));
                    results.add(view);
                }
            }
        }
        Job last = found.isEmpty() ? null : found.getLast();
        return new Page(results, last == null ? null : last.createdAt, last == null ? null : last.id, found.size() < size);
    }
}
