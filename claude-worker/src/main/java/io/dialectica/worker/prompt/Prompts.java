package io.dialectica.worker.prompt;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.worker.context.PromptContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prompt templates, versioned resources under {@code prompts/}: {@code theses.v2.txt},
 * {@code synthesis.v2.txt} and {@code repair.v2.txt}. A changed wording is a new file and a new version:
 * the version is part of the cache key and of every result ({@code promptVersion}), so answers to
 * different prompts never mix.
 * <p>
 * <b>Laid out for the prompt cache</b> (v2): a template has three parts, stable first. {@code [system]}: the
 * instructions and the output schema, the same for every job of its type; {@code [context]}: the
 * concept's compressed graph, the same for every job on the same concept state; {@code [task]}: the job's
 * own parameters (count, language, mode), last. The system text and the context block are the cacheable
 * prefix ({@link io.dialectica.worker.claude.CachePlan} puts the breakpoints after them); a repair
 * round-trip appends to the same conversation, so it reads the prefix too. Nothing that varies per job may
 * appear in the first two parts.
 */
@ApplicationScoped
public class Prompts {

    public static final String THESES_SCHEMA = "dialectica.theses.v1";
    public static final String SYNTHESIS_SCHEMA = "dialectica.synthesis.v1";
    public static final String THESES_VERSION = "theses.v2";
    public static final String SYNTHESIS_VERSION = "synthesis.v2";
    private static final String REPAIR = "repair.v2";

    private static final Map<String, String> MODE_HINTS = Map.of(
            "dialectical", "thesis and antithesis sublated into a higher unity that preserves what is true in each",
            "comparative", "what they share and where they differ, made into one concept that articulates the contrast",
            "integrative", "their categories joined into one coherent whole without contradiction");

    private final Map<String, Template> templates;
    private final String repair;

    public Prompts() {
        templates = Map.of(THESES_VERSION, Template.parse(load(THESES_VERSION)),
                SYNTHESIS_VERSION, Template.parse(load(SYNTHESIS_VERSION)));
        repair = load(REPAIR);
    }

    /**
     * A rendered prompt: which template version and schema; the system text; the first user message as two
     * blocks: {@code context} (the stable graph) and {@code task} (the job's parameters).
     */
    public record Prompt(String version, String schema, String system, String context, String task) {
        /** The first user message as one text (the two blocks joined as the API renders them). */
        public String user() {
            return context + "\n" + task;
        }
    }

    public static String versionFor(JobType type) {
        return type == JobType.THESES ? THESES_VERSION : SYNTHESIS_VERSION;
    }

    public static String schemaFor(JobType type) {
        return type == JobType.THESES ? THESES_SCHEMA : SYNTHESIS_SCHEMA;
    }

    public Prompt render(GenerationRequest request, PromptContext context, String contextJson) {
        String version = versionFor(request.type());
        String schema = schemaFor(request.type());
        Template template = templates.get(version);
        List<String> names = context.concepts().stream().map(PromptContext.ConceptContext::name).toList();
        String mode = request.mode() == null ? "" : request.mode();
        Map<String, String> values = Map.of(
                "count", String.valueOf(request.count()),
                "conceptName", names.isEmpty() ? "" : names.getFirst(),
                "conceptNames", names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")),
                "language", request.language() == null ? "en" : request.language(),
                "mode", mode,
                "modeHint", MODE_HINTS.getOrDefault(mode, mode),
                "schema", schema,
                "context", contextJson);
        return new Prompt(version, schema, fill(template.system(), values), fill(template.context(), values),
                fill(template.task(), values));
    }

    /**
     * The follow-up user message of the repair round-trip: the errors and the task again; the context is
     * already in the conversation (and in the cached prefix), so it is not sent a second time.
     */
    public String repair(String schema, List<String> errors, String task) {
        String list = errors.stream().limit(20).map(e -> "- " + e).collect(Collectors.joining("\n"));
        return fill(repair, Map.of("schema", schema, "errors", list, "task", task));
    }

    private static String fill(String template, Map<String, String> values) {
        String out = template;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace("{{" + e.getKey() + "}}", e.getValue());
        }
        return out.strip();
    }

    private static String load(String name) {
        String path = "prompts/" + name + ".txt";
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("prompt template " + path + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Template(String system, String context, String task) {
        static Template parse(String text) {
            int s = text.indexOf("[system]");
            int c = text.indexOf("[context]");
            int t = text.indexOf("[task]");
            if (s < 0 || c < s || t < c) {
                throw new IllegalStateException("a prompt template needs [system], [context] and [task] parts, in this order");
            }
            return new Template(text.substring(s + "[system]".length(), c), text.substring(c + "[context]".length(), t),
                    text.substring(t + "[task]".length()));
        }
    }
}
