package io.dialectica.concept.rest.dto;

import io.dialectica.concept.formats.Unmapped;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * A dry-run import: the concept the file would create (as a POST body) and what of the file it leaves out or changes.
 * Serialised, not read, so the native image needs the records it holds registered as well.
 */
@RegisterForReflection(targets = {ImportPreview.class, ConceptInput.class, CategoryInput.class, RelationInput.class,
        Unmapped.class})
public record ImportPreview(ConceptInput concept, List<Unmapped> unmapped) {
}
