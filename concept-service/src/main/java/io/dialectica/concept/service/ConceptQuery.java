package io.dialectica.concept.service;

import io.dialectica.concept.model.Visibility;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A listing request: optional filters (tradition, owner, text in name or description), a 0-based
 * page, a page size and a sort ({@code name}, {@code createdAt}, {@code updatedAt}; {@code -} for
 * descending; ties broken by id so pages never overlap).
 */
public record ConceptQuery(String tradition, String owner, String text, int page, int size, String sort) {

    public static final List<String> SORTABLE = List.of("name", "createdAt", "updatedAt");

    /** The HQL condition, its parameters and the sort, with the caller's visibility rule built in. */
    public record Hql(String where, Parameters parameters, Sort sort) {
    }

    public static ConceptQuery parse(String tradition, String owner, String text, String page, String size,
            String sort, int defaultSize, int maxSize) {
        int pageNumber = parseInt("page", page, 0, 0, 1_000_000);
        int pageSize = parseInt("size", size, defaultSize, 1, maxSize);
        String sortSpec = sort == null || sort.isBlank() ? "-updatedAt" : sort.strip();
        String field = sortSpec.startsWith("-") ? sortSpec.substring(1) : sortSpec;
        if (!SORTABLE.contains(field)) {
            throw ApiProblem.badRequest("sort", "must be one of " + SORTABLE + ", optionally prefixed with '-'");
        }
        return new ConceptQuery(blankToNull(tradition), blankToNull(owner), blankToNull(text), pageNumber, pageSize,
                sortSpec);
    }

    public Hql toHql(Caller caller) {
        List<String> conditions = new ArrayList<>();
        Parameters parameters = new Parameters();
        if (!caller.admin()) {
            conditions.add("(visibility = :public or owner = :caller)");
            parameters.and("public", Visibility.PUBLIC).and("caller", caller.subject());
        }
        if (tradition != null) {
            conditions.add("lower(tradition) = :tradition");
            parameters.and("tradition", tradition.toLowerCase(Locale.ROOT));
        }
        if (owner != null) {
            conditions.add("owner = :owner");
            parameters.and("owner", owner);
        }
        if (text != null) {
            conditions.add("(lower(name) like :text escape '\\' or lower(description) like :text escape '\\')");
            parameters.and("text", "%" + escapeLike(text.toLowerCase(Locale.ROOT)) + "%");
        }
        String where = conditions.isEmpty() ? "1 = 1" : String.join(" and ", conditions);
        boolean descending = sort.startsWith("-");
        String field = descending ? sort.substring(1) : sort;
        Sort.Direction direction = descending ? Sort.Direction.Descending : Sort.Direction.Ascending;
        // names sort as people read them, not by code point ("beta" between "Alpha" and "Gamma")
        String column = field.equals("name") ? "lower(name)" : field;
        return new Hql(where, parameters, Sort.by(column, direction).and("id", direction).disableEscaping());
    }

    static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    static int parseInt(String field, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed < min || parsed > max) {
                throw ApiProblem.badRequest(field, "must be between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(field, "must be an integer");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
