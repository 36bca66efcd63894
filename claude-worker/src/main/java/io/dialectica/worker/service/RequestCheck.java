package io.dialectica.worker.service;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Which requests the worker can run at all; anything else is poison (dead letter + failed result). */
public final class RequestCheck {

    public static final Set<String> MODES = Set.of("dialectical", "comparative", "integrative");
    private static final Pattern LANGUAGE = Pattern.compile("^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$");

    private RequestCheck() {
    }

    public static List<String> problems(GenerationRequest r, int maxTheses) {
        List<String> problems = new ArrayList<>();
        if (r.v() > GenerationRequest.SCHEMA_VERSION) {
            problems.add("unsupported schema version v=" + r.v());
        }
        if (r.jobId() == null) {
            problems.add("jobId is missing");
        }
        if (r.type() == null) {
            problems.add("type is missing");
        }
        if (r.conceptIds() == null || r.conceptIds().isEmpty()) {
            problems.add("conceptIds is missing");
        } else {
            if (r.conceptIds().stream().anyMatch(java.util.Objects::isNull)) {
                problems.add("conceptIds contains null");
            } else if (new HashSet<>(r.conceptIds()).size() != r.conceptIds().size()) {
                problems.add("conceptIds contains duplicates");
            }
            if (r.type() == JobType.THESES && r.conceptIds().size() != 1) {
                problems.add("THESES takes exactly one concept, got " + r.conceptIds().size());
            }
            if (r.type() == JobType.SYNTHESIS && (r.conceptIds().size() < 2 || r.conceptIds().size() > 5)) {
                problems.add("SYNTHESIS takes 2 to 5 concepts, got " + r.conceptIds().size());
            }
        }
        if (r.type() == JobType.THESES && (r.count() < 1 || r.count() > maxTheses)) {
            problems.add("count must be 1 to " + maxTheses + ", got " + r.count());
        }
        if (r.type() == JobType.SYNTHESIS && (r.mode() == null || !MODES.contains(r.mode()))) {
            problems.add("mode must be one of " + new java.util.TreeSet<>(MODES) + ", got " + r.mode());
        }
        if (r.language() != null && !LANGUAGE.matcher(r.language()).matches()) {
            problems.add("language is not a BCP 47 tag: " + r.language());
        }
        return problems;
    }
}
