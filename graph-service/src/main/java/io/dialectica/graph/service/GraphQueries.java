package io.dialectica.graph.service;

import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.embedding.ConceptText;
import io.dialectica.graph.model.RelationType;
import io.dialectica.graph.projection.GraphSchema;
import io.dialectica.graph.rest.dto.CentralityView;
import io.dialectica.graph.rest.dto.ConceptGraphView;
import io.dialectica.graph.rest.dto.PathView;
import io.dialectica.graph.rest.dto.RelatedView;
import io.dialectica.graph.rest.dto.SimilarView;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.async.AsyncSession;
import org.neo4j.driver.async.ResultCursor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The read side: asynchronous Neo4j reads (the driver's async API, so no request thread waits on I/O)
 * with the visibility rules applied: PUBLIC concepts for everybody, PRIVATE ones to their owner and to
 * callers that see all ({@link Caller#seesAll()}); an invisible concept does not exist (404).
 */
@ApplicationScoped
public class GraphQueries {

    static final String APPLIED_LSN = """
            OPTIONAL MATCH (c:Concept {id: $id})
            OPTIONAL MATCH (t:DeletedConcept {id: $id})
            RETURN coalesce(c.appliedLsn, 0) AS live, coalesce(t.appliedLsn, 0) AS deleted""";

    static final String CONCEPT = """
            MATCH (c:Concept {id: $id})
            OPTIONAL MATCH (c)-[m:INCLUDES]->(k:Category)
            WITH c, collect(CASE WHEN k IS NULL THEN null ELSE {id: k.id, name: k.name, description: k.description,
                 weight: m.weight, x: m.x, y: m.y} END) AS categories
            OPTIONAL MATCH (c)-[:INCLUDES]->(a:Category)-[r]->(b:Category) WHERE r.conceptId = c.id
            RETURN c.id AS id, c.name AS name, c.description AS description, c.tradition AS tradition,
                   c.owner AS owner, c.visibility AS visibility, c.appliedLsn AS appliedLsn, categories,
                   collect(CASE WHEN r IS NULL THEN null ELSE {id: r.id, type: type(r), from: a.id, to: b.id,
                   weight: r.weight, rationale: r.rationale} END) AS relations""";

    static final String HEADER = """
            MATCH (c:Concept {id: $id}) RETURN c.owner AS owner, c.visibility AS visibility""";

    static final String RELATED = """
            MATCH (c:Concept {id: $id})-[m1:INCLUDES]->(k:Category)<-[m2:INCLUDES]-(o:Concept)
            WHERE o.id <> $id AND ($seeAll OR o.visibility = 'PUBLIC' OR o.owner = $subject)
            WITH o, k, coalesce(m1.weight, 0) * coalesce(m2.weight, 0) AS s
            ORDER BY s DESC, k.name
            WITH o, sum(s) AS score, collect(coalesce(k.name, k.id)) AS shared
            RETURN o.id AS id, o.name AS name, o.tradition AS tradition, score, shared
            ORDER BY score DESC, name, id
            LIMIT $limit""";

    /**
     * The concept, whether its vector is for its current text (ConceptText key), and whether it has one; grouped by
     * the node (not by properties a worker may be writing meanwhile: one concept, one row).
     */
    static final String SIMILAR_HEADER = """
            MATCH (c:Concept {id: $id})
            OPTIONAL MATCH (c)-[:INCLUDES]->(k:Category)
            WITH c, collect(k.name) AS categories
            RETURN c.owner AS owner, c.visibility AS visibility, c.name AS name, c.description AS description,
                   c.embeddingKey AS storedKey, c.embedding IS NOT NULL AS embedded, categories""";

    /**
     * The index's k nearest (k ≥ limit): Neo4j 5.26 filters after the approximate search, so invisible concepts take
     * places among the k; {@link #similar} asks again with a larger k while fewer than {@code limit} are visible and
     * the index had more to give. {@code found}: how many the index returned (the concept itself included).
     */
    static final String SIMILAR = """
            MATCH (c:Concept {id: $id})
            CALL db.index.vector.queryNodes('%s', $k, c.embedding) YIELD node, score
            WITH c, collect({node: node, score: score}) AS hits
            RETURN size(hits) AS found,
                   [h IN hits WHERE h.node.id <> $id
                    AND ($seeAll OR h.node.visibility = 'PUBLIC' OR h.node.owner = $subject)
                    | {id: h.node.id, name: h.node.name, tradition: h.node.tradition, description: h.node.description,
                       score: h.score, shared: [(c)-[:INCLUDES]->(k:Category)<-[:INCLUDES]-(o) WHERE o = h.node | k.name]}] AS items"""
            .formatted(GraphSchema.VECTOR_INDEX_NAME);

    /** Largest k asked of the vector index (a caller surrounded by that many invisible concepts gets fewer items). */
    static final int MAX_NEIGHBOURS = 10_000;

    static final String CATEGORY_GRAPH = """
            MATCH (c:Concept {id: $id})-[:INCLUDES]->(k:Category)
            OPTIONAL MATCH (k)-[r]->(b:Category) WHERE r.conceptId = $id
            RETURN k.id AS id, k.name AS name,
                   collect(CASE WHEN r IS NULL THEN null ELSE {to: b.id, weight: r.weight} END) AS out""";

    private static final String PATH = """
            MATCH (a:Category {id: $from}), (b:Category {id: $to})
            MATCH p = shortestPath((a)-[:%s*1..%d]-(b))
            %s
            RETURN [n IN nodes(p) | {id: n.id, name: n.name}] AS categories,
                   [r IN relationships(p) | {from: startNode(r).id, to: endNode(r).id, type: type(r),
                    conceptId: r.conceptId, weight: r.weight}] AS steps""";

    private static final String VISIBLE_STEPS =
            "WHERE all(r IN relationships(p) WHERE r.visibility = 'PUBLIC' OR r.owner = $subject)";

    private final Driver driver;

    public GraphQueries(Driver driver) {
        this.driver = driver;
    }

    /** The commit LSN of the last group applied for a concept (kept by its tombstone after a delete); 0 if none. */
    public CompletionStage<Long> appliedLsn(String id) {
        return read(APPLIED_LSN, Map.of("id", id), records -> records.isEmpty() ? 0L
                : Math.max(records.get(0).get("live").asLong(), records.get(0).get("deleted").asLong()));
    }

    public CompletionStage<ConceptGraphView> concept(Caller caller, String id) {
        return read(CONCEPT, Map.of("id", id), records -> {
            if (records.isEmpty() || !caller.canSee(str(records.get(0).get("owner")),
                    str(records.get(0).get("visibility")))) {
                throw notFound(id);
            }
            Record r = records.get(0);
            List<ConceptGraphView.Category> categories = new ArrayList<>();
            for (Value v : r.get("categories").values()) {
                categories.add(new ConceptGraphView.Category(str(v.get("id")), str(v.get("name")),
                        str(v.get("description")), dbl(v.get("weight")), dbl(v.get("x")), dbl(v.get("y"))));
            }
            categories.sort(Comparator.comparing((ConceptGraphView.Category c) -> c.name() == null ? "" : c.name())
                    .thenComparing(ConceptGraphView.Category::id));
            List<ConceptGraphView.Relation> relations = new ArrayList<>();
            for (Value v : r.get("relations").values()) {
                relations.add(new ConceptGraphView.Relation(str(v.get("id")), str(v.get("type")), str(v.get("from")),
                        str(v.get("to")), dbl(v.get("weight")), str(v.get("rationale"))));
            }
            relations.sort(Comparator.comparing(ConceptGraphView.Relation::type)
                    .thenComparing(ConceptGraphView.Relation::fromCategoryId)
                    .thenComparing(ConceptGraphView.Relation::toCategoryId)
                    .thenComparing(ConceptGraphView.Relation::id));
            long applied = r.get("appliedLsn").isNull() ? 0 : r.get("appliedLsn").asLong();
            return new ConceptGraphView(str(r.get("id")), str(r.get("name")), str(r.get("description")),
                    str(r.get("tradition")), str(r.get("owner")), str(r.get("visibility")), Lsn.format(applied),
                    categories, relations);
        });
    }

    public CompletionStage<RelatedView> related(Caller caller, String id, int limit) {
        return visible(caller, id).thenCompose(ignored -> read(RELATED,
                Map.of("id", id, "seeAll", caller.seesAll(), "subject", subject(caller), "limit", limit),
                records -> {
                    List<RelatedView.Item> items = new ArrayList<>();
                    for (Record r : records) {
                        items.add(new RelatedView.Item(str(r.get("id")), str(r.get("name")), str(r.get("tradition")),
                                dbl(r.get("score")), r.get("shared").asList(Value::asString)));
                    }
                    return new RelatedView(id, items);
                }));
    }

    /**
     * Nearest visible concepts by meaning (the vector index, cosine), the concept itself excluded, best first. An
     * invisible concept is never counted: the answer has {@code limit} items whenever that many visible ones have
     * vectors (up to {@link #MAX_NEIGHBOURS} candidates looked at).
     */
    public CompletionStage<SimilarView> similar(Caller caller, String id, int limit) {
        return read(SIMILAR_HEADER, Map.of("id", id), records -> {
            if (records.isEmpty() || !caller.canSee(str(records.get(0).get("owner")),
                    str(records.get(0).get("visibility")))) {
                throw notFound(id);
            }
            Record r = records.get(0);
            String text = ConceptText.of(str(r.get("name")), str(r.get("description")),
                    r.get("categories").asList(v -> v.isNull() ? null : v.asString()));
            boolean pending = !ConceptText.key(text).equals(str(r.get("storedKey")));
            return new boolean[] {pending, r.get("embedded").asBoolean()};
        }).thenCompose(state -> {
            if (!state[1]) {
                return CompletableFuture.completedFuture(new SimilarView(id, true, List.of()));
            }
            return neighbours(caller, id, limit, Math.max(4 * limit + 1, 20))
                    .thenApply(items -> new SimilarView(id, state[0], items));
        });
    }

    private CompletionStage<List<SimilarView.Item>> neighbours(Caller caller, String id, int limit, int k) {
        Map<String, Object> params = Map.of("id", id, "k", k, "seeAll", caller.seesAll(), "subject", subject(caller));
        return read(SIMILAR, params, records -> records.isEmpty() ? null : records.get(0)).thenCompose(r -> {
            if (r == null) {
                return CompletableFuture.completedFuture(List.<SimilarView.Item>of());
            }
            List<SimilarView.Item> items = new ArrayList<>();
            for (Value v : r.get("items").values()) {
                List<String> shared = new ArrayList<>(v.get("shared").asList(x -> x.isNull() ? "" : x.asString()));
                shared.removeIf(String::isEmpty);
                shared.sort(String.CASE_INSENSITIVE_ORDER);
                items.add(new SimilarView.Item(str(v.get("id")), str(v.get("name")), str(v.get("tradition")),
                        str(v.get("description")), dbl(v.get("score")), shared));
            }
            boolean more = r.get("found").asInt() >= k;
            if (items.size() < limit && more && k < MAX_NEIGHBOURS) {
                return neighbours(caller, id, limit, Math.min(MAX_NEIGHBOURS, k * 4));
            }
            items.sort(Comparator.comparingDouble(SimilarView.Item::score).reversed()
                    .thenComparing(SimilarView.Item::id));
            return CompletableFuture.completedFuture(List.copyOf(items.subList(0, Math.min(limit, items.size()))));
        });
    }

    public CompletionStage<CentralityView> centrality(Caller caller, String id, int limit) {
        return visible(caller, id).thenCompose(ignored -> read(CATEGORY_GRAPH, Map.of("id", id), records -> {
            Map<String, Integer> index = new HashMap<>();
            List<String> ids = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Record r : records) {
                index.put(str(r.get("id")), ids.size());
                ids.add(str(r.get("id")));
                names.add(str(r.get("name")));
            }
            List<PageRank.Edge> edges = new ArrayList<>();
            for (Record r : records) {
                int from = index.get(str(r.get("id")));
                for (Value out : r.get("out").values()) {
                    Integer to = index.get(str(out.get("to")));
                    if (to != null) {
                        edges.add(new PageRank.Edge(from, to, dbl(out.get("weight"))));
                    }
                }
            }
            double[] scores = PageRank.scores(ids.size(), edges, PageRank.DAMPING);
            List<CentralityView.Item> items = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                items.add(new CentralityView.Item(ids.get(i), names.get(i), scores[i]));
            }
            items.sort(Comparator.comparingDouble(CentralityView.Item::score).reversed()
                    .thenComparing(i -> i.name() == null ? "" : i.name())
                    .thenComparing(CentralityView.Item::categoryId));
            return new CentralityView(id, List.copyOf(items.subList(0, Math.min(limit, items.size()))));
        }));
    }

    public CompletionStage<PathView> path(Caller caller, String from, String to, int maxLength) {
        String cypher = PATH.formatted(RelationType.alternatives(), maxLength, caller.seesAll() ? "" : VISIBLE_STEPS);
        return read(cypher, Map.of("from", from, "to", to, "subject", subject(caller)), records -> {
            if (records.isEmpty()) {
                throw ApiProblem.notFound("a path of at most " + maxLength + " relations visible to you from "
                        + "category " + from + " to category " + to);
            }
            Record r = records.get(0);
            List<PathView.Category> categories = new ArrayList<>();
            for (Value v : r.get("categories").values()) {
                categories.add(new PathView.Category(str(v.get("id")), str(v.get("name"))));
            }
            List<PathView.Step> steps = new ArrayList<>();
            for (Value v : r.get("steps").values()) {
                steps.add(new PathView.Step(str(v.get("from")), str(v.get("to")), str(v.get("type")),
                        str(v.get("conceptId")), dbl(v.get("weight"))));
            }
            return new PathView(from, to, steps.size(), categories, steps);
        });
    }

    /** Completes when the concept exists and the caller may see it; else fails with 404. */
    private CompletionStage<Void> visible(Caller caller, String id) {
        return read(HEADER, Map.of("id", id), records -> {
            if (records.isEmpty() || !caller.canSee(str(records.get(0).get("owner")),
                    str(records.get(0).get("visibility")))) {
                throw notFound(id);
            }
            return null;
        });
    }

    private <T> CompletionStage<T> read(String cypher, Map<String, Object> params, Function<List<Record>, T> result) {
        AsyncSession session;
        try {
            session = driver.session(AsyncSession.class);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return session.executeReadAsync(tx -> tx.runAsync(cypher, params).thenCompose(ResultCursor::listAsync))
                .thenApply(result)
                .whenComplete((r, e) -> session.closeAsync());
    }

    private static ApiProblem notFound(String id) {
        return ApiProblem.notFound("concept " + id);
    }

    private static String subject(Caller caller) {
        return caller.subject() == null ? "" : caller.subject();
    }

    private static String str(Value v) {
        return v == null || v.isNull() ? null : v.asString();
    }

    private static double dbl(Value v) {
        return v == null || v.isNull() ? 0 : v.asDouble();
    }
}
