package io.dialectica.search.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.Lsn;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.embedding.QueryEmbedder;
import io.dialectica.search.embedding.Vectors;
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
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
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
    private final QueryEmbedder embedder;
    private final Counter cacheHits;
    private final Counter cacheMisses;

    public SearchService(OpenSearch os, ObjectMapper mapper, SearchConfig config, StoreProgress view,
            Consistency consistency, SearchCache cache, QueryEmbedder embedder, MeterRegistry registry) {
        this.embedder = embedder;
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
            return vectorOf(query).chain(vector -> {
                if (token == null) {
                    // no wait, no progress documents: exactly the read it always was (its entry proves nothing: 0)
                    return run(caller, query, vector, false)
                            .call(result -> cache.store(lookup, key, 0, write(result.value())))
                            .map(Consistency.Verified::value);
                }
                long wanted = token;
                return consistency.read(wanted, () -> run(caller, query, vector, true)
                        .call(result -> result.low() >= wanted
                                ? cache.store(lookup, key, result.low(), write(result.value()))
                                : Uni.createFrom().voidItem()));
            });
        });
    }

    /**
     * The query's vector (semantic and hybrid modes; null for text), computed once per search on a worker thread:
     * the model takes ~15 ms of CPU and must not run on the event loop.
     */
    private Uni<float[]> vectorOf(SearchQuery query) {
        if (query.mode() == SearchQuery.Mode.TEXT) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().item(() -> embedder.embed(query.text()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
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

    private Uni<Consistency.Verified<SearchPage>> run(Caller caller, SearchQuery query, float[] vector,
            boolean verify) {
        ObjectNode body = query.toOpenSearch(mapper, caller, config.facetSize(), vector,
                config.embeddings().hybridCandidates());
        if (verify) {
            ProgressDocs.addAggregation(mapper, body);
        }
        return os.send("POST", "/" + config.index().alias() + "/_search", body).map(reply -> {
            JsonNode answer = checked(reply);
            SearchPage page = switch (query.mode()) {
                case TEXT -> toPage(query, answer);
                case SEMANTIC -> semanticPage(query, answer);
                case HYBRID -> hybridPage(query, answer, vector);
            };
            return new Consistency.Verified<>(page, verify ? lowOf(answer) : 0);
        });
    }

    /** The script's score is (1 + cos) / 2: the answer says the cosine similarity itself. */
    private SearchPage semanticPage(SearchQuery query, JsonNode body) {
        SearchPage page = toPage(query, body);
        List<SearchPage.Item> items = new ArrayList<>();
        for (SearchPage.Item item : page.items()) {
            items.add(withScore(item, item.score() == null ? null : round(2 * item.score() - 1)));
        }
        return new SearchPage(page.page(), page.size(), page.total(), items, page.facets());
    }

    /**
     * The best text matches ranked again: {@code w × text / best text + (1 − w) × max(0, cosine)} (w =
     * {@code hybrid-text-weight}, 0.5); a concept without a vector yet has only its text part. The total is the
     * number of candidates ranked (at most {@code hybrid-candidates}); pages beyond them are empty.
     */
    private SearchPage hybridPage(SearchQuery query, JsonNode body, float[] vector) {
        double weight = config.embeddings().hybridTextWeight();
        JsonNode hits = body.path("hits").path("hits");
        double best = 0;
        for (JsonNode hit : hits) {
            best = Math.max(best, hit.path("_score").asDouble(0));
        }
        SearchPage all = toPage(query, body);
        record Ranked(SearchPage.Item item, double score) {
        }
        List<Ranked> ranked = new ArrayList<>();
        int i = 0;
        for (JsonNode hit : hits) {
            double text = best > 0 ? hit.path("_score").asDouble(0) / best : 0;
            float[] own = Vectors.decode(hit.path("_source").path("embedding").asText(null));
            double cosine = own == null ? 0 : Math.max(0, Vectors.dot(vector, own));
            ranked.add(new Ranked(all.items().get(i++), weight * text + (1 - weight) * cosine));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::score).reversed()
                .thenComparing(r -> r.item().id()));
        List<SearchPage.Item> items = new ArrayList<>();
        int from = query.page() * query.size();
        for (int k = from; k < Math.min(ranked.size(), from + query.size()); k++) {
            items.add(withScore(ranked.get(k).item(), round(ranked.get(k).score())));
        }
        return new SearchPage(query.page(), query.size(), ranked.size(), items, all.facets());
    }

    private static SearchPage.Item withScore(SearchPage.Item item, Double score) {
        return new SearchPage.Item(item.id(), item.name(), item.tradition(), item.owner(), item.visibility(), score,
                item.highlights());
    }

    private static double round(double score) {
        return Math.round(score * 1e6) / 1e6;
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
