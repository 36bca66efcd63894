package io.dialectica.worker.claude;

import io.dialectica.worker.claude.ClaudeCall.Block;
import io.dialectica.worker.claude.ClaudeCall.Turn;
import io.dialectica.worker.config.WorkerConfig;
import io.dialectica.worker.cost.Pricing;
import io.dialectica.worker.cost.TokenCounter;
import io.dialectica.worker.prompt.Prompts.Prompt;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a job's requests put their {@code cache_control} breakpoints. The prompt is laid out stable part
 * first ({@link io.dialectica.worker.prompt.Prompts}): system text (instructions, output schema), then the
 * first user message's context block (the concept's compressed graph), then its task block (count, language,
 * mode). A breakpoint goes
 * <ul>
 * <li>after the system block when the system prompt alone reaches the model's minimum cacheable length (jobs
 * on any concept then share it), and</li>
 * <li>after the context block when system + context reach it (jobs on the same concept state share it; the
 * repair round-trip of the job itself appends to the same conversation and reads it too).</li>
 * </ul>
 * A prefix shorter than the minimum ({@code prices."<model>".min-cacheable-tokens}: 1024 for Sonnet 4.5,
 * 4096 for Haiku 4.5) is never marked: the API would not cache it anyway. The lengths are counted by
 * {@link TokenCounter} (count_tokens, else characters / 4).
 */
@ApplicationScoped
public class CachePlan {

    /** The job's layout: which breakpoints, and the counted prefix lengths they were decided on. */
    public record Layout(boolean systemBreakpoint, boolean contextBreakpoint, int systemTokens, int prefixTokens,
            int minTokens, boolean exactCounts) {
        public static final Layout NONE = new Layout(false, false, 0, 0, 0, false);
    }

    private final TokenCounter counter;
    private final Pricing pricing;
    private final WorkerConfig config;

    public CachePlan(TokenCounter counter, Pricing pricing, WorkerConfig config) {
        this.counter = counter;
        this.pricing = pricing;
        this.config = config;
    }

    public Layout layout(Prompt prompt) {
        if (!config.promptCache().enabled()) {
            return Layout.NONE;
        }
        int min = pricing.minCacheableTokens(config.claude().model());
        // the system prompt as a prefix: measured with a one-character user message (a request needs one)
        TokenCounter.Count system = counter.count(List.of(Block.plain(prompt.system())), List.of(Turn.user(Block.plain("."))));
        TokenCounter.Count prefix = counter.count(List.of(Block.plain(prompt.system())),
                List.of(Turn.user(Block.plain(prompt.context()))));
        return new Layout(system.tokens() >= min, prefix.tokens() >= min, system.tokens(), prefix.tokens(), min,
                system.exact() && prefix.exact());
    }

    /** The first request: system, then the user message of context and task. */
    public ClaudeCall generate(Prompt prompt, Layout layout, int maxTokens) {
        return new ClaudeCall(system(prompt, layout), List.of(first(prompt, layout)), maxTokens, "generate");
    }

    /**
     * The repair round-trip: the same first message (so the cached prefix is read), the invalid answer, and the
     * errors with the task again.
     */
    public ClaudeCall repair(Prompt prompt, Layout layout, String invalidAnswer, String repairMessage, int maxTokens) {
        List<Turn> turns = new ArrayList<>();
        turns.add(first(prompt, layout));
        turns.add(Turn.assistant(invalidAnswer.isBlank() ? "(empty answer)" : invalidAnswer));
        turns.add(Turn.user(Block.plain(repairMessage)));
        return new ClaudeCall(system(prompt, layout), turns, maxTokens, "repair");
    }

    private static List<Block> system(Prompt prompt, Layout layout) {
        return List.of(new Block(prompt.system(), layout.systemBreakpoint()));
    }

    private static Turn first(Prompt prompt, Layout layout) {
        return Turn.user(new Block(prompt.context(), layout.contextBreakpoint()), Block.plain(prompt.task()));
    }
}
