package io.dialectica.worker.claude;

import java.util.List;
import java.util.Map;

/** What one streamed call reports while it runs (the job throttles these into progress events). */
public interface StreamListener {

    /** Output tokens received so far (estimated from the text until the final usage arrives). */
    void onTokens(int outputTokensSoFar);

    /** Response headers of a successful response (rate-limit headers), lower-case names. */
    default void onHeaders(Map<String, List<String>> headers) {
    }

    /** Registers the running call so a cancellation can abort it; null when it is over. */
    default void onCall(CallHandle handle) {
    }

    StreamListener NONE = tokens -> {
    };
}
