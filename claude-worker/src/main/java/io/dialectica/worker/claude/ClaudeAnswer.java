package io.dialectica.worker.claude;

/**
 * A completed streamed answer. {@code standIn}: the local Messages API stand-in produced it. The token counts
 * are the API's {@code usage}: {@code inputTokens} is the uncached input only; the prompt-cache writes and
 * reads are counted apart (input in all = the three together).
 */
public record ClaudeAnswer(String text, String model, int inputTokens, int outputTokens, int cacheCreationInputTokens,
        int cacheReadInputTokens, String requestId, long latencyMs, String stopReason, boolean standIn) {
}
