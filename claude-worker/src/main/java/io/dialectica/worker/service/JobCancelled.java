package io.dialectica.worker.service;

/** The job was cancelled (a CANCELLED event) while the worker ran it: stop, publish nothing. */
public final class JobCancelled extends RuntimeException {
    public JobCancelled(String jobId) {
        super("job " + jobId + " was cancelled", null, false, false);
    }
}
