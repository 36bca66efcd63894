package io.dialectica.search.rest.dto;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.Map;

/** One page of search results with the facets of the whole result (under the caller's visibility). */
@RegisterForReflection
public record SearchPage(int page, int size, long total, List<Item> items, Facets facets) {

    /** One concept found; {@code highlights} maps a field to fragments with the matches in {@code <em>}. */
    @RegisterForReflection
    public record Item(String id, String name, String tradition, String owner, String visibility, Double score,
            Map<String, List<String>> highlights) {
    }

    @RegisterForReflection
    public record Facets(List<FacetValue> traditions, List<FacetValue> categories) {
    }

    @RegisterForReflection
    public record FacetValue(String value, long count) {
    }
}
