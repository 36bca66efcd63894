package io.dialectica.worker.claude;

import java.util.List;

/**
 * One Messages API request: the system prompt and the conversation so far (user, assistant, user, ...), each
 * as text blocks; a block marked {@code breakpoint} carries {@code cache_control: {"type": "ephemeral"}}, so
 * the prefix up to and including it is cached ({@link CachePlan} decides where).
 *
 * @param purpose {@code generate} or {@code repair} (recorded on the interaction)
 */
public record ClaudeCall(List<Block> system, List<Turn> turns, int maxTokens, String purpose) {

    /** A text block; {@code breakpoint}: the cached prefix ends after it. */
    public record Block(String text, boolean breakpoint) {
        public static Block plain(String text) {
            return new Block(text, false);
        }
    }

    /** A message: {@code user} or {@code assistant}, its blocks in order. */
    public record Turn(String role, List<Block> blocks) {
        public static Turn user(Block... blocks) {
            return new Turn("user", List.of(blocks));
        }

        public static Turn assistant(String text) {
            return new Turn("assistant", List.of(Block.plain(text)));
        }

        public String text() {
            return String.join("\n", blocks.stream().map(Block::text).toList());
        }
    }

    /** Blocks marked as breakpoints, over the whole request (the API accepts at most 4). */
    public long breakpoints() {
        return system.stream().filter(Block::breakpoint).count()
                + turns.stream().flatMap(t -> t.blocks().stream()).filter(Block::breakpoint).count();
    }
}
