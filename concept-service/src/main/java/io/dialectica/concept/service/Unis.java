package io.dialectica.concept.service;

import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Sequential steps: a Hibernate Reactive session must never see two operations at once. */
final class Unis {

    private Unis() {
    }

    static <T, R> Uni<List<R>> mapSequentially(List<T> items, Function<T, Uni<R>> step) {
        Uni<List<R>> chain = Uni.createFrom().item(new ArrayList<>(items.size()));
        for (T item : items) {
            chain = chain.chain(results -> step.apply(item).map(result -> {
                results.add(result);
                return results;
            }));
        }
        return chain;
    }
}
