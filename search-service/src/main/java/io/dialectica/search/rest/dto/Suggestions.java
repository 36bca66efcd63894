package io.dialectica.search.rest.dto;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** Concept names completing a prefix. */
@RegisterForReflection
public record Suggestions(String prefix, List<Item> items) {

    @RegisterForReflection
    public record Item(String id, String name) {
    }
}
