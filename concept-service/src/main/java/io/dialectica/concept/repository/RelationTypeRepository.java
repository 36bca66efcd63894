package io.dialectica.concept.repository;

import io.dialectica.concept.model.RelationType;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

@ApplicationScoped
public class RelationTypeRepository implements PanacheRepositoryBase<RelationType, String> {

    public Uni<List<RelationType>> listAllSorted() {
        return listAll(Sort.by("code"));
    }

    public Uni<Set<String>> codes() {
        return listAll().map(types -> types.stream().map(t -> t.code).collect(Collectors.toSet()));
    }
}
