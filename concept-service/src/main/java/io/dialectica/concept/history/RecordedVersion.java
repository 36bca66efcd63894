package io.dialectica.concept.history;

import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.VersionChanges;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code concept_versions}: what one change group of a concept made of it.
 *
 * @param state the whole concept after the change; null for a deletion
 */
public record RecordedVersion(UUID conceptId, long commitLsn, long version, long txId, Instant commitTime,
        String changedBy, String owner, String visibility, Kind kind, VersionChanges changes, ConceptView state) {

    public enum Kind {
        /** The concept as it was when the history began (migration V6); author unknown. */
        BASELINE,
        CREATED,
        CHANGED,
        DELETED
    }
}
