package io.dialectica.thesis.mapping;

import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.thesis.model.Job;
import io.dialectica.thesis.rest.dto.JobView;

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
                job.type == JobType.THESES ? job.count : null, job.language, job.mode, job.attempts, job.dispatches,
                job.error, job.lastPhase, job.lastOutputTokens, job.lastMessage,
                succeeded ? resultUrl(job) : null, progressUrl, job.generatedBy, job.cacheHit, job.promptVersion,
                job.createdAt, job.startedAt, job.finishedAt, job.updatedAt, job.lastEventAt, job.version);
    }
}
