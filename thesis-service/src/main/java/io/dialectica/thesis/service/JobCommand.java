package io.dialectica.thesis.service;

import io.dialectica.contracts.generation.JobType;

import java.util.List;
import java.util.UUID;

/** A validated request for a job, defaults applied. */
public record JobCommand(JobType type, List<UUID> conceptIds, int count, String language, String mode) {
}
