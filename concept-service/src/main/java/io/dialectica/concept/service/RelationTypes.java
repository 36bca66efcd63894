package io.dialectica.concept.service;

import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.Statement;
import io.dialectica.concept.rest.dto.RelationTypeView;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The relation-type vocabulary, read once and kept. It is reference data that only a migration changes, and
 * migrations run at start-up, before the first request: no write needs to query it. (The foreign key of
 * {@code concept_relations.type} still guards the database.) A failed first read is not kept: the next
 * request reads again.
 */
@ApplicationScoped
public class RelationTypes {

    private static final Statement SELECT = Statement.of("select code, description from relation_types order by code");

    /** The vocabulary: every type with its description, by code, and the set of codes. */
    public record Vocabulary(List<RelationTypeView> types, Set<String> codes) {
    }

    @Inject
    ConceptStore store;

    private volatile Vocabulary vocabulary;

    public Uni<Vocabulary> vocabulary() {
        Vocabulary known = vocabulary;
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return Uni.createFrom().completionStage(() -> store.reads().execute(SELECT, Tuple.tuple()).map(rows -> {
            List<RelationTypeView> types = new ArrayList<>();
            Set<String> codes = new LinkedHashSet<>();
            for (Row row : rows) {
                types.add(new RelationTypeView(row.getString(0), row.getString(1)));
                codes.add(row.getString(0));
            }
            Vocabulary read = new Vocabulary(List.copyOf(types), Set.copyOf(codes));
            vocabulary = read;
            return read;
        }).toCompletionStage());
    }

    public Uni<Set<String>> codes() {
        return vocabulary().map(Vocabulary::codes);
    }
}
