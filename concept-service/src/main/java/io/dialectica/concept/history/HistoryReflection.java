package io.dialectica.concept.history;

import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.concept.rest.dto.VersionChanges;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.rows.CategoryRow;
import io.dialectica.contracts.rows.ConceptRow;
import io.dialectica.contracts.rows.MembershipRow;
import io.dialectica.contracts.rows.RelationRow;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What {@link HistoryJson#MAPPER} reads and writes outside the REST layer (which Quarkus registers by itself): the
 * envelopes and rows of the change topic and the history's JSON columns, for a native image.
 */
@RegisterForReflection(targets = {ChangeEnvelope.class, ConceptRow.class, CategoryRow.class, MembershipRow.class,
        RelationRow.class, ConceptView.class, CategoryView.class, RelationView.class, VersionChanges.class,
        VersionChanges.FieldChange.class, VersionChanges.CategoryChanges.class, VersionChanges.Reweighted.class,
        VersionChanges.Moved.class, VersionChanges.Point.class, VersionChanges.RelationChanges.class,
        VersionChanges.RelationChanged.class})
final class HistoryReflection {

    private HistoryReflection() {
    }
}
