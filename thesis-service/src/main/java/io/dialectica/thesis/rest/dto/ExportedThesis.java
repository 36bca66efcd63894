package io.dialectica.thesis.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One thesis in the export (GET /api/me/export): the thesis ({@code order}, {@code text}, {@code rationale},
 * {@code categories}) with its concept and the fields of its job, as {@code GET /api/concepts/{conceptId}/theses?jobId=}
 * answers them in the job's group ({@code createdAt} and {@code finishedAt} are the job's).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExportedThesis(UUID jobId, UUID conceptId, int order, String text, String rationale, List<String> categories,
        String language, String generatedBy, Boolean cacheHit, String promptVersion, Instant createdAt, Instant finishedAt) {
}
