package io.dialectica.concept.rest.dto;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * One version of a concept in its history: one committed change (a write of concept-service), as the change stream
 * recorded it.
 */
public record HistoryEntryView(
        @Schema(description = "The concept's version after this change (its ETag then); a deletion has the version its "
                + "last update gave it")
        long version,
        @Schema(description = "BASELINE (the state found when the history began, author unknown), CREATED, CHANGED or DELETED",
                enumeration = {"BASELINE", "CREATED", "CHANGED", "DELETED"})
        String kind,
        @Schema(description = "Commit time of the change (PostgreSQL's clock)")
        Instant time,
        @Schema(description = "JWT subject of the request that made the change; null when unknown (a baseline, or a "
                + "write that did not go through concept-service)", nullable = true)
        String who,
        @Schema(description = "WAL position of the change's commit, X/Y: the consistency token of a write is at or below it")
        String commitLsn,
        VersionChanges changes) {
}
