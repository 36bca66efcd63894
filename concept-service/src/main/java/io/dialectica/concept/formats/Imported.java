package io.dialectica.concept.formats;

import io.dialectica.concept.rest.dto.ConceptInput;

import java.util.List;

/**
 * A file read into the concept it would create, with what could not be mapped, and for each category and relation
 * the node or edge of the file it came from (so a rule it breaks is reported at that node).
 */
public record Imported(ConceptInput concept, List<Unmapped> unmapped, List<String> categorySources,
        List<String> relationSources) {
}
