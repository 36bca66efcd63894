package io.dialectica.e2e.convergence;

import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Value;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * graph-service's Neo4j projection, read over Bolt: {@code (:Concept)}, {@code (:Concept)-[:INCLUDES {weight,
 * x, y}]->(:Category)} and each relation as a relationship of its type between the two categories, carrying
 * {@code conceptId} (graph-service/README.md). A deleted concept is a {@code (:DeletedConcept)} tombstone, no
 * {@code (:Concept)} node: absent.
 */
public final class Neo4jProjection implements Projection {

    private static final Profile PROFILE = new Profile(
            Set.of("name", "description", "tradition", "owner", "visibility"),
            Set.of("membershipId", "name", "description", "weight", "x", "y"),
            // owner and visibility: the concept's, copied onto each relation for the path queries' filter
            Set.of("id", "weight", "rationale", "owner", "visibility"));

    /** The relation vocabulary (concept-service's relation_types): one indexed lookup per type. */
    static final List<String> RELATION_TYPES = List.of("IMPLIES", "PRESUPPOSES", "NEGATES", "CONTRADICTS", "SUBLATES",
            "GROUNDS", "ANALOGOUS_TO", "PART_OF", "OPPOSES", "EXEMPLIFIES");

    /**
     * Memberships through INCLUDES; relations by their {@code conceptId} (indexed per type), wherever their ends
     * are, so that a relation left between categories the concept no longer includes is found too.
     */
    private static final String READ = """
            UNWIND $ids AS id
            MATCH (c:Concept {id: id})
            CALL (c) {
              OPTIONAL MATCH (c)-[i:INCLUDES]->(cat:Category)
              RETURN collect(CASE WHEN cat IS NULL THEN NULL ELSE
                {categoryId: cat.id, membershipId: i.id, name: cat.name, description: cat.description,
                 weight: i.weight, x: i.x, y: i.y} END) AS categories
            }
            CALL (c) {
              CALL (c) {
            %s
              }
              RETURN collect(rel) AS relations
            }
            RETURN c.id AS id, c.name AS name, c.description AS description, c.tradition AS tradition,
                   c.owner AS owner, c.visibility AS visibility, categories, relations
            """.formatted(String.join("\n  UNION ALL\n", RELATION_TYPES.stream().map(type -> """
              MATCH (a:Category)-[r:%s {conceptId: c.id}]->(b:Category)
              RETURN {from: a.id, to: b.id, type: type(r), id: r.id, weight: r.weight, rationale: r.rationale,
                      owner: r.owner, visibility: r.visibility} AS rel""".formatted(type)).toList()));

    private final Driver driver;

    /** @param boltUri e.g. {@code bolt://127.0.0.1:17687} (authentication off, as the local stack runs it) */
    public Neo4jProjection(String boltUri) {
        this.driver = GraphDatabase.driver(boltUri, AuthTokens.none());
    }

    public Driver driver() {
        return driver;
    }

    @Override
    public String store() {
        return "neo4j";
    }

    @Override
    public Profile profile() {
        return PROFILE;
    }

    @Override
    public Map<String, ConceptImage> read(Collection<String> conceptIds) {
        Map<String, ConceptImage> images = new HashMap<>();
        try (Session session = driver.session()) {
            for (List<String> batch : PostgresTruth.batches(conceptIds, 500)) {
                List<Record> records = session.executeRead(tx -> tx.run(READ, Map.of("ids", batch)).list());
                for (Record row : records) {
                    String id = row.get("id").asString();
                    ConceptImage image = ConceptImage.present(id)
                            .attribute("name", nullable(row.get("name")))
                            .attribute("description", nullable(row.get("description")))
                            .attribute("tradition", nullable(row.get("tradition")))
                            .attribute("owner", nullable(row.get("owner")))
                            .attribute("visibility", nullable(row.get("visibility")));
                    for (Value c : row.get("categories").values()) {
                        Map<String, Object> m = image.category(c.get("categoryId").asString());
                        for (String key : List.of("membershipId", "name", "description", "weight", "x", "y")) {
                            ConceptImage.put(m, key, nullable(c.get(key)));
                        }
                    }
                    for (Value r : row.get("relations").values()) {
                        Map<String, Object> rel = image.relation(r.get("from").asString(), r.get("type").asString(),
                                r.get("to").asString());
                        for (String key : List.of("id", "weight", "rationale", "owner", "visibility")) {
                            ConceptImage.put(rel, key, nullable(r.get(key)));
                        }
                    }
                    images.put(id, image);
                }
            }
        }
        for (String id : conceptIds) {
            images.putIfAbsent(id, ConceptImage.absent(id));
        }
        return images;
    }

    @Override
    public Set<String> presentIds() {
        try (Session session = driver.session()) {
            return new LinkedHashSet<>(session.executeRead(tx -> tx.run(
                    "MATCH (c:Concept) RETURN c.id AS id").list(r -> r.get("id").asString())));
        }
    }

    private static Object nullable(Value value) {
        return value == null || value.isNull() ? null : value.asObject();
    }

    @Override
    public void close() {
        driver.close();
    }
}
