package io.dialectica.thesis.rest.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The caller's theses about one concept, one group per job, newest first. */
public record ThesesView(UUID conceptId, List<Group> jobs) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Group(UUID jobId, String language, String generatedBy, Boolean cacheHit, String promptVersion,
            Instant createdAt, Instant finishedAt, List<Item> theses) {
    }

    public record Item(int order, String text, String rationale, List<String> categories) {
    }
}
