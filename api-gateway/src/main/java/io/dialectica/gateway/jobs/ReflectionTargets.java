package io.dialectica.gateway.jobs;

import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The contract records Jackson reads from the progress topic, kept for the native image. */
@RegisterForReflection(targets = { JobEvent.class, JobStatus.class })
final class ReflectionTargets {

    private ReflectionTargets() {
    }
}
