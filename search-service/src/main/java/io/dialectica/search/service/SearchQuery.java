package io.dialectica.search.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A search request, validated and normalised: optional text, optional tradition, categories (all must be
 * present), a 0-based page, a page size and the mode. Builds the OpenSearch query with the caller's visibility
 * filter.
 */
public record SearchQuery(String text, String tradition, List<String> categories, int page, int size, Mode mode) {

    /** How the text is matched (README, "Semantic and hybrid search"). */
    public enum Mode {
        /** Words: BM25 over names, categories, descriptions, rationales (the default). */
        TEXT,
        /** Meaning: cosine similarity of the query's vector and each visible concept's vector. */
        SEMANTIC,
        /** Both: the best text matches ranked again by text score and vector similarity combined. */
        HYBRID;

        static Mode parse(String value) {
            if (value == null || value.isBlank()) {
                return TEXT;
            }
            for (Mode mode : values()) {
                if (mode.name().equalsIgnoreCase(value.strip())) {
                    return mode;
                }
            }
            throw ApiProblem.badRequest("mode", "must be one of text, semantic, hybrid");
        }
    }

    /**
     * Cosine similarity of the query vector ({@code params.q}) and the document's vector, read from the
     * {@code embedding} field's doc values (384 float32 little-endian), mapped to 0..1 as {@code (1 + cos) / 2}
     * (script scores must not be negative). Doc values, not {@code _source}: 32 ms instead of 709 ms over 10,000
     * documents (docs/benchmarks.md).
     */
    static final String COSINE_SCRIPT = """
            BytesRef b = doc['embedding'].value; byte[] x = b.bytes; int o = b.offset; List q = params.q; double dot = 0;
            for (int i = 0; i < q.size(); i++) {
              int j = o + 4 * i; int b0 = x[j]; int b1 = x[j + 1]; int b2 = x[j + 2]; int b3 = x[j + 3];
              dot += Float.intBitsToFloat((b0 & 255) | ((b1 & 255) << 8) | ((b2 & 255) << 16) | (b3 << 24)) * (double) q.get(i);
            }
            return Math.max(0, (1 + dot) / 2);""";

    public static final int MAX_TEXT = 500;
    /** OpenSearch's index.max_result_window: from + size may not exceed it. */
    public static final int MAX_WINDOW = 10_000;

    public static SearchQuery parse(String q, String tradition, List<String> categories, String page, String size,
            String mode, int defaultSize, int maxSize) {
        Mode parsedMode = Mode.parse(mode);
        String text = normalise(q);
        if (text != null && text.length() > MAX_TEXT) {
            throw ApiProblem.badRequest("q", "must be at most " + MAX_TEXT + " characters");
        }
        if (text == null && parsedMode != Mode.TEXT) {
            throw ApiProblem.badRequest("q", "is required in mode " + parsedMode.name().toLowerCase(Locale.ROOT));
        }
        String trad = normalise(tradition);
        if (trad != null && trad.length() > 200) {
            throw ApiProblem.badRequest("tradition", "must be at most 200 characters");
        }
        TreeSet<String> cats = new TreeSet<>();
        if (categories != null) {
            for (String category : categories) {
                String c = normalise(category);
                if (c == null) {
                    throw ApiProblem.badRequest("category", "must not be blank");
                }
                if (c.length() > 200) {
                    throw ApiProblem.badRequest("category", "must be at most 200 characters");
                }
                cats.add(c.toLowerCase(Locale.ROOT));
            }
            if (cats.size() > 20) {
                throw ApiProblem.badRequest("category", "at most 20 categories");
            }
        }
        int pageNumber = parseInt("page", page, 0, 0, MAX_WINDOW);
        int pageSize = parseInt("size", size, defaultSize, 1, maxSize);
        if ((long) pageNumber * pageSize + pageSize > MAX_WINDOW) {
            throw ApiProblem.badRequest("page", "page × size may not go beyond the first " + MAX_WINDOW + " results");
        }
        return new SearchQuery(text, trad, List.copyOf(cats), pageNumber, pageSize, parsedMode);
    }

    /** The cache key material: everything that decides the answer, including who may see what. */
    public String cacheKey(Caller caller) {
        return "search|" + mode + "|" + caller.scope() + "|" + (text == null ? "" : text.toLowerCase(Locale.ROOT)) + "|"
                + (tradition == null ? "" : tradition.toLowerCase(Locale.ROOT)) + "|" + String.join("\u001f", categories)
                + "|" + page + "|" + size;
    }

    /**
     * The OpenSearch request. TEXT: this page of the text matches. SEMANTIC ({@code vector} = the query's): a
     * {@code script_score} over every visible concept that has a vector, this page by cosine. HYBRID: the best
     * {@code candidates} text matches (from 0) with their vectors; the caller ranks them again and takes the page.
     */
    public ObjectNode toOpenSearch(ObjectMapper mapper, Caller caller, int facetSize, float[] vector, int candidates) {
        ObjectNode body = mapper.createObjectNode();
        if (mode == Mode.HYBRID) {
            body.put("from", 0).put("size", candidates);
        } else {
            body.put("from", page * size).put("size", size);
        }
        body.put("track_total_hits", true).put("track_scores", true);
        ArrayNode source = body.putArray("_source");
        for (String field : List.of("id", "name", "tradition", "owner", "visibility")) {
            source.add(field);
        }
        if (mode == Mode.HYBRID) {
            source.add("embedding");
        }
        ObjectNode bool;
        if (mode == Mode.SEMANTIC) {
            ObjectNode scriptScore = body.putObject("query").putObject("script_score");
            bool = scriptScore.putObject("query").putObject("bool");
            ObjectNode script = scriptScore.putObject("script");
            script.put("source", COSINE_SCRIPT);
            ArrayNode q = script.putObject("params").putArray("q");
            for (float f : vector) {
                q.add(f);
            }
        } else {
            bool = body.putObject("query").putObject("bool");
        }
        if (mode == Mode.SEMANTIC) {
            // no words to match: every visible concept with a vector is a candidate, ranked by the script
        } else if (text == null) {
            bool.putArray("must").addObject().putObject("match_all");
        } else {
            ObjectNode multi = bool.putArray("must").addObject().putObject("multi_match");
            multi.put("query", text).put("type", "best_fields").put("tie_breaker", 0.3);
            ArrayNode fields = multi.putArray("fields");
            for (String field : List.of("name^3", "categories.name^2", "description", "relations.rationale",
                    "categories.description", "tradition")) {
                fields.add(field);
            }
        }
        ArrayNode filter = visibilityFilter(bool, caller);
        if (tradition != null) {
            filter.addObject().putObject("term").put("tradition.lower", tradition.toLowerCase(Locale.ROOT));
        }
        for (String category : categories) {
            filter.addObject().putObject("term").put("categories.name.lower", category);
        }
        if (mode == Mode.SEMANTIC) {
            filter.addObject().putObject("exists").put("field", "embeddingKey");
        }
        if (mode != Mode.SEMANTIC) {
            ObjectNode highlight = body.putObject("highlight");
            highlight.putArray("pre_tags").add("<em>");
            highlight.putArray("post_tags").add("</em>");
            ObjectNode fields = highlight.putObject("fields");
            fields.putObject("name").put("number_of_fragments", 0);
            fields.putObject("description").put("fragment_size", 150).put("number_of_fragments", 3);
            fields.putObject("categories.name").put("number_of_fragments", 0);
            fields.putObject("categories.description").put("fragment_size", 150).put("number_of_fragments", 2);
            fields.putObject("relations.rationale").put("fragment_size", 150).put("number_of_fragments", 2);
        }
        ObjectNode aggs = body.putObject("aggs");
        aggs.putObject("traditions").putObject("terms").put("field", "tradition.keyword").put("size", facetSize);
        aggs.putObject("categories").putObject("terms").put("field", "categories.name.keyword").put("size", facetSize);
        ArrayNode sort = body.putArray("sort");
        if (text != null) {
            sort.add("_score");
        } else {
            sort.addObject().put("name.keyword", "asc");
        }
        sort.addObject().put("id", "asc");
        return body;
    }

    /** Suggestions: concept names completing a prefix (search_as_you_type, bool_prefix), visible to the caller. */
    public static ObjectNode suggest(ObjectMapper mapper, Caller caller, String prefix, int size) {
        ObjectNode body = mapper.createObjectNode();
        body.put("size", size);
        body.putArray("_source").add("id").add("name");
        ObjectNode bool = body.putObject("query").putObject("bool");
        ObjectNode multi = bool.putArray("must").addObject().putObject("multi_match");
        multi.put("query", prefix).put("type", "bool_prefix");
        multi.putArray("fields").add("nameSuggest").add("nameSuggest._2gram").add("nameSuggest._3gram");
        visibilityFilter(bool, caller);
        body.putArray("sort").add("_score").addObject().put("name.keyword", "asc");
        return body;
    }

    /** Tombstones and half-built documents (no concept row seen yet) are never found; PRIVATE only by their owner. */
    static ArrayNode visibilityFilter(ObjectNode bool, Caller caller) {
        bool.putArray("must_not").addObject().putObject("term").put("deleted", true);
        ArrayNode filter = bool.putArray("filter");
        filter.addObject().putObject("exists").put("field", "visibility");
        if (!caller.seesAll()) {
            ObjectNode visible = filter.addObject().putObject("bool");
            ArrayNode should = visible.putArray("should");
            should.addObject().putObject("term").put("visibility", "PUBLIC");
            should.addObject().putObject("term").put("owner", caller.subject());
            visible.put("minimum_should_match", 1);
        }
        return filter;
    }

    public static String normalise(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.strip().replaceAll("\\s+", " ");
        return trimmed.isEmpty() ? null : trimmed;
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

    static List<String> list(Iterable<String> values) {
        List<String> list = new ArrayList<>();
        values.forEach(list::add);
        return list;
    }
}
