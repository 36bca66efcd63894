package io.dialectica.thesis.service;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobType;

import java.util.List;
import java.util.UUID;

/** A validated request for a job, defaults applied; {@code priority} interactive or batch. */
public record JobCommand(JobType type, List<UUID> conceptIds, int count, String language, String mode, String priority) {

    /** The priority as requested, or interactive when the request named none. */
    public static String priority(String requested) {
        return requested == null ? GenerationRequest.INTERACTIVE : requested;
    }
}
