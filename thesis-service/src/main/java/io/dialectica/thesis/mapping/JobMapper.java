package io.dialectica.thesis.mapping;

import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.thesis.model.Interaction;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.model.Synthesis;
import io.dialectica.thesis.rest.dto.JobView;
import io.dialectica.thesis.rest.dto.SynthesisView;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class JobMapper {

    private JobMapper() {
    }

    /** Where a SUCCEEDED job's result is readable. */
    public static String resultUrl(Job job) {
        return job.type == JobType.THESES
                ? "/api/concepts/" + job.conceptIds[0] + "/theses?jobId=" + job.id
                : "/api/syntheses/" + job.id;
    }

    public static JobView toView(Job job, String progressUrl) {
        boolean succeeded = job.status == JobStatus.SUCCEEDED;
        return new JobView(job.id, job.id, job.type, job.status, job.requestedBy, Arrays.asList(job.conceptIds),
                job.type == JobType.THESES ? job.count : null, job.language, job.mode, job.priority, job.attempts, job.dispatches,
                job.error, job.lastPhase, job.lastOutputTokens, job.lastMessage,
                succeeded ? resultUrl(job) : null, progressUrl, job.generatedBy, job.cacheHit, job.promptVersion,
                job.costUsd == null ? null : new JobView.Usage(orZero(job.inputTokens), orZero(job.outputTokens),
                        orZero(job.cacheCreationInputTokens), orZero(job.cacheReadInputTokens)),
                plain(job.costUsd), job.createdAt, job.startedAt, job.finishedAt, job.updatedAt, job.lastEventAt,
                job.version);
    }

    /** A stored synthesis with its job and the Claude calls behind it, as GET /api/syntheses/{id} answers it. */
    public static SynthesisView toView(Synthesis s, Job job, List<Interaction> calls) {
        Map<String, Object> proposed = new LinkedHashMap<>();
        proposed.put("name", s.name);
        if (s.description != null) {
            proposed.put("description", s.description);
        }
        if (s.tradition != null) {
            proposed.put("tradition", s.tradition);
        }
        proposed.put("categories", s.proposed.categories() == null ? List.of() : s.proposed.categories());
        proposed.put("relations", s.proposed.relations() == null ? List.of() : s.proposed.relations());
        long in = 0;
        long out = 0;
        long write = 0;
        long read = 0;
        long latency = 0;
        BigDecimal cost = BigDecimal.ZERO;
        boolean cacheHit = false;
        List<String> models = new ArrayList<>();
        List<String> requestIds = new ArrayList<>();
        for (Interaction call : calls) {
            in += call.inputTokens;
            out += call.outputTokens;
            write += call.cacheCreationInputTokens;
            read += call.cacheReadInputTokens;
            latency += call.latencyMs;
            cost = call.estimatedCostUsd == null ? cost : cost.add(call.estimatedCostUsd);
            cacheHit |= call.cacheHit;
            if (call.model != null && !models.contains(call.model)) {
                models.add(call.model);
            }
            if (call.requestId != null) {
                requestIds.add(call.requestId);
            }
        }
        return new SynthesisView(s.id, s.jobId, s.mode, Arrays.asList(s.sourceConceptIds), proposed, job.generatedBy,
                job.cacheHit, job.promptVersion, s.createdAt,
                new SynthesisView.Usage(calls.size(), in, out, write, read, latency, plain(cost), cacheHit, models,
                        requestIds));
    }

    /** A decimal as few digits as it needs (the database keeps 10 decimals): 0.0081, not 0.0081000000. */
    public static BigDecimal plain(BigDecimal d) {
        if (d == null) {
            return null;
        }
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    private static long orZero(Long n) {
        return n == null ? 0 : n;
    }
}
