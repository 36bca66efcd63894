package io.dialectica.concept.rest.dto;

import io.dialectica.concept.formats.Unmapped;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** A dry-run import: the concept the file would create (as a POST body) and what of the file it leaves out or changes. */
@RegisterForReflection
public record ImportPreview(ConceptInput concept, List<Unmapped> unmapped) {
}
