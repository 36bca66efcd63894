package io.dialectica.worker.claude;

import com.anthropic.core.http.StreamResponse;

/** A running streamed call that another thread may abort (job cancelled, attempt timed out). */
public final class CallHandle {

    private volatile StreamResponse<?> stream;
    private volatile boolean timedOut;
    private volatile boolean aborted;

    void attach(StreamResponse<?> s) {
        this.stream = s;
        if (aborted) {
            close();
        }
    }

    /** Abort because the job was cancelled. */
    public void abort() {
        aborted = true;
        close();
    }

    void timeout() {
        timedOut = true;
        aborted = true;
        close();
    }

    boolean timedOut() {
        return timedOut;
    }

    boolean aborted() {
        return aborted;
    }

    private void close() {
        StreamResponse<?> s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // closing a half-read response may fail; the reading thread sees the failure
            }
        }
    }
}
