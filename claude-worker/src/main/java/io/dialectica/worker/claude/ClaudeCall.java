package io.dialectica.worker.claude;

import java.util.List;

/**
 * One Messages API request: the system prompt and the conversation so far (user, assistant, user, ...).
 *
 * @param purpose {@code generate} or {@code repair} (recorded on the interaction)
 */
public record ClaudeCall(String system, List<String> turns, int maxTokens, String purpose) {
}
