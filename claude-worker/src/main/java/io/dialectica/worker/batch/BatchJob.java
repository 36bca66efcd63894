package io.dialectica.worker.batch;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult.Interaction;
import io.dialectica.worker.claude.CachePlan;
import io.dialectica.worker.claude.ClaudeCall;
import io.dialectica.worker.prompt.Prompts.Prompt;

import java.util.List;

/**
 * What claude-worker keeps of a batch job between its request and its result (JSON in Redis, {@link BatchStore}):
 * everything needed to submit its call in a Message Batch, to check the answer, and to ask for a repair in the next
 * batch — so any replica, and a restarted one, can carry on with it.
 *
 * @param stage        {@code generate} (the first call) or {@code repair} (the repair round-trip)
 * @param call         the Messages request to put into the next batch
 * @param categories   THESES: the category names of the context (the validator checks the answer against them)
 * @param cacheKey     the response-cache key the valid answer is stored under
 * @param interactions the calls made so far (the generate call, before a repair)
 */
public record BatchJob(GenerationRequest request, int attempt, String stage, ClaudeCall call, Prompt prompt,
        CachePlan.Layout layout, List<String> categories, String cacheKey, List<Interaction> interactions) {

    public static final String GENERATE = "generate";
    public static final String REPAIR = "repair";
}
