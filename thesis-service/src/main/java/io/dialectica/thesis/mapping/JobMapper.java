package io.dialectica.thesis.mapping;

import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.rest.dto.JobView;

import java.math.BigDecimal;
import java.util.Arrays;

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
