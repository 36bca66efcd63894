package io.dialectica.search.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.projection.ProjectionProgress;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.index.OpenSearchException;
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
 * Searches and suggestions: waits for the caller's consistency token (without blocking a thread), answers from
 * the cache when it may, otherwise asks OpenSearch through the alias.
 */
@ApplicationScoped
public class SearchService {

    private final OpenSearch os;
    private final ObjectMapper mapper;
    private final SearchConfig config;
    private final ProjectionProgress progress;
    private final SearchCache cache;
    private final io.dialectica.search.projection.Projector projector;
    private final Counter cacheHits;
    private final Counter cacheMisses;

    public SearchService(OpenSearch os, ObjectMapper mapper, SearchConfig config, ProjectionProgress progress,
            SearchCache cache, io.dialectica.search.projection.Projector projector, MeterRegistry registry) {
        this.projector = projector;
        this.os = os;
        this.mapper = mapper;
        this.config = config;
        this.progress = progress;
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
        return waitFor(token).chain(() -> {
            long watermark = progress.lowWatermark();
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
                return run(caller, query).call(page -> cache.store(lookup, key, watermark, write(page)));
            });
        });
    }

    public Uni<Suggestions> suggest(Caller caller, String prefix, int size, Long token) {
        return waitFor(token).chain(() -> os.send("POST", "/" + config.index().alias() + "/_search",
                SearchQuery.suggest(mapper, caller, prefix, size)).map(reply -> {
                    JsonNode body = checked(reply);
                    List<Suggestions.Item> items = new ArrayList<>();
                    for (JsonNode hit : body.path("hits").path("hits")) {
                        JsonNode source = hit.path("_source");
                        items.add(new Suggestions.Item(source.path("id").asText(hit.path("_id").asText()),
                                source.path("name").asText(null)));
                    }
                    return new Suggestions(prefix, items);
                }));
    }

    /** Completes when the projection covers the token (all partitions, and refreshed); 504 after the wait. */
    Uni<Void> waitFor(Long token) {
        if (token == null) {
            return Uni.createFrom().voidItem();
        }
        long wanted = token;
        String text = Lsn.format(wanted);
        return Uni.createFrom()
                .completionStage(() -> progress.await(() -> projector.ownsAllPartitions() && progress.lowWatermark() >= wanted,
                        config.consistencyWait()))
                .map(covered -> {
                    if (!covered) {
                        throw SearchProblems.projectionBehind(text, Lsn.format(progress.lowWatermark()),
                                config.consistencyWait().toMillis());
                    }
                    return null;
                });
    }

    private Uni<SearchPage> run(Caller caller, SearchQuery query) {
        return os.send("POST", "/" + config.index().alias() + "/_search",
                query.toOpenSearch(mapper, caller, config.facetSize())).map(reply -> toPage(query, checked(reply)));
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
