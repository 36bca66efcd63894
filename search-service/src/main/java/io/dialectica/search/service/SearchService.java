package io.dialectica.search.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.Lsn;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.index.OpenSearchException;
import io.dialectica.search.progress.ProgressDocs;
import io.dialectica.search.progress.StoreProgress;
import io.dialectica.search.rest.dto.SearchPage;
import io.dialectica.search.rest.dto.Suggestions;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Searches and suggestions: answers from the cache when it may, otherwise asks OpenSearch through the alias. A read
 * with a consistency token goes through {@link Consistency} (waits without blocking a thread, and answers only
 * when the progress documents in its own answer cover the token); a read without one does exactly what it did.
 */
@ApplicationScoped
public class SearchService {

    private final OpenSearch os;
    private final ObjectMapper mapper;
    private final SearchConfig config;
    private final StoreProgress view;
    private final Consistency consistency;
    private final SearchCache cache;
    private final Counter cacheHits;
    private final Counter cacheMisses;

    public SearchService(OpenSearch os, ObjectMapper mapper, SearchConfig config, StoreProgress view,
            Consistency consistency, SearchCache cache, MeterRegistry registry) {
        this.os = os;
        this.mapper = mapper;
        this.config = config;
        this.view = view;
        this.consistency = consistency;
        this.cache = cache;
        this.cacheHits = Counter.builder("dialectica.search.cache.hits").description("Searches answered from Redis")
                .register(registry);
        this.cacheMisses = Counter.builder("dialectica.search.cache.misses")
                .description("Searches that ran in OpenSearch (cache enabled)").register(registry);
    }

    /** Parses a consistency token (400 when malformed); null when absent. */
    public static Long parseToken(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            return Lsn.parse(token);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("X-Consistency-Token", "must be a WAL position X/Y (hexadecimal halves)");
        }
    }

    public Uni<SearchPage> search(Caller caller, SearchQuery query, Long token) {
        String key = query.cacheKey(caller);
        return cache.lookup(key).chain(lookup -> {
            SearchCache.Entry entry = lookup.entry();
            if (entry != null && (token == null || entry.watermark() >= token)) {
                SearchPage cached = read(entry.json());
                if (cached != null) {
                    cacheHits.increment();
                    return Uni.createFrom().item(cached);
                }
            }
            if (cache.enabled()) {
                cacheMisses.increment();
            }
            if (token == null) {
                // no wait, no progress documents: exactly the read it always was (its entry proves nothing: 0)
                return run(caller, query, false)
                        .call(result -> cache.store(lookup, key, 0, write(result.value())))
                        .map(Consistency.Verified::value);
            }
            long wanted = token;
            return consistency.read(wanted, () -> run(caller, query, true)
                    .call(result -> result.low() >= wanted
                            ? cache.store(lookup, key, result.low(), write(result.value()))
                            : Uni.createFrom().voidItem()));
        });
    }

    public Uni<Suggestions> suggest(Caller caller, String prefix, int size, Long token) {
        if (token == null) {
            return suggestOnce(caller, prefix, size, false).map(Consistency.Verified::value);
        }
        return consistency.read(token, () -> suggestOnce(caller, prefix, size, true));
    }

    private Uni<Consistency.Verified<Suggestions>> suggestOnce(Caller caller, String prefix, int size, boolean verify) {
        ObjectNode body = SearchQuery.suggest(mapper, caller, prefix, size);
        if (verify) {
            ProgressDocs.addAggregation(mapper, body);
        }
        return os.send("POST", "/" + config.index().alias() + "/_search", body).map(reply -> {
            JsonNode answer = checked(reply);
            List<Suggestions.Item> items = new ArrayList<>();
            for (JsonNode hit : answer.path("hits").path("hits")) {
                JsonNode source = hit.path("_source");
                items.add(new Suggestions.Item(source.path("id").asText(hit.path("_id").asText()),
                        source.path("name").asText(null)));
            }
            return new Consistency.Verified<>(new Suggestions(prefix, items), verify ? lowOf(answer) : 0);
        });
    }

    /** The low watermark the progress documents in this answer prove (0 when it carries none). */
    private long lowOf(JsonNode answer) {
        return view.verified(ProgressDocs.fromAggregation(answer));
    }

    private Uni<Consistency.Verified<SearchPage>> run(Caller caller, SearchQuery query, boolean verify) {
        ObjectNode body = query.toOpenSearch(mapper, caller, config.facetSize());
        if (verify) {
            ProgressDocs.addAggregation(mapper, body);
        }
        return os.send("POST", "/" + config.index().alias() + "/_search", body).map(reply -> {
            JsonNode answer = checked(reply);
            return new Consistency.Verified<>(toPage(query, answer), verify ? lowOf(answer) : 0);
        });
    }

    private SearchPage toPage(SearchQuery query, JsonNode body) {
        List<SearchPage.Item> items = new ArrayList<>();
        for (JsonNode hit : body.path("hits").path("hits")) {
            JsonNode source = hit.path("_source");
            Map<String, List<String>> highlights = new LinkedHashMap<>();
            hit.path("highlight").fields().forEachRemaining(field -> {
                List<String> fragments = new ArrayList<>();
                field.getValue().forEach(f -> fragments.add(f.asText()));
                highlights.put(field.getKey(), fragments);
            });
            JsonNode score = hit.path("_score");
            items.add(new SearchPage.Item(source.path("id").asText(hit.path("_id").asText()),
                    source.path("name").asText(null), source.path("tradition").asText(null),
                    source.path("owner").asText(null), source.path("visibility").asText(null),
                    score.isNumber() ? score.asDouble() : null, highlights));
        }
        long total = body.path("hits").path("total").path("value").asLong();
        return new SearchPage(query.page(), query.size(), total, items,
                new SearchPage.Facets(buckets(body, "traditions"), buckets(body, "categories")));
    }

    private static List<SearchPage.FacetValue> buckets(JsonNode body, String name) {
        List<SearchPage.FacetValue> values = new ArrayList<>();
        for (JsonNode bucket : body.path("aggregations").path(name).path("buckets")) {
            values.add(new SearchPage.FacetValue(bucket.path("key").asText(), bucket.path("doc_count").asLong()));
        }
        return values;
    }

    private static JsonNode checked(OpenSearch.Reply reply) {
        if (!reply.ok()) {
            throw new OpenSearchException("search failed: HTTP " + reply.status() + " "
                    + reply.body().path("error").path("type").asText(), reply.status());
        }
        return reply.body();
    }

    private String write(SearchPage page) {
        try {
            return mapper.writeValueAsString(page);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private SearchPage read(String json) {
        try {
            return mapper.readValue(json, SearchPage.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
