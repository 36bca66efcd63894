package io.dialectica.worker.claude;

/** A completed streamed answer. {@code standIn}: the local Messages API stand-in produced it. */
public record ClaudeAnswer(String text, String model, int inputTokens, int outputTokens, String requestId,
        long latencyMs, String stopReason, boolean standIn) {
}
