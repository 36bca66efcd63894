package io.dialectica.graph.rebuild;

import io.dialectica.graph.model.RelationType;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.exceptions.TransientException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The rebuild's Neo4j transactions (README: "Rebuilding"). Each one begins by taking the write lock of every
 * {@code (:ProjectionProgress)} node in id order, the lock each projector transaction takes first for its own
 * partitions: a rebuild transaction and a projector transaction therefore never overlap, whichever replica runs
 * the projector. So the applied LSN a rebuild transaction reads cannot change before it commits (it never
 * overwrites a group above S the stream applied meanwhile), and a projector transaction that follows reads the
 * LSN S the rebuild left (its groups at or below S are repeats, {@code GraphWriter}'s guard). Readers are not
 * blocked: each transaction replaces its concepts atomically.
 */
@ApplicationScoped
public class RebuildWriter {

    private static final Logger LOG = Logger.getLogger(RebuildWriter.class);

    /** A missing progress node (a partition never written) has no lock to take; nothing applied there yet. */
    static final String LOCK_PROGRESS = """
            MATCH (p:ProjectionProgress)
            WITH p ORDER BY p.id
            SET p.rebuildLock = true
            REMOVE p.rebuildLock
            RETURN count(p) AS locked""";

    static final String READ_CONCEPT_LSNS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (c:Concept {id: id})
            OPTIONAL MATCH (t:DeletedConcept {id: id})
            RETURN id, coalesce(c.appliedLsn, 0) AS live, coalesce(t.appliedLsn, 0) AS deleted""";

    /** Only categories the stream has not brought past S; a category with no LSN yet (made by a membership) too. */
    static final String WRITE_CATEGORIES = """
            UNWIND $rows AS r
            MERGE (k:Category {id: r.id})
            WITH k, r WHERE coalesce(k.appliedLsn, 0) < $lsn
            SET k.name = r.name, k.canonicalName = r.canonicalName, k.description = r.description,
                k.appliedLsn = $lsn, k.rebuild = $rebuild
            RETURN count(k) AS written""";

    static final String DELETE_MEMBERSHIPS = """
            UNWIND $ids AS id
            MATCH (:Concept {id: id})-[i:INCLUDES]->()
            DELETE i""";

    /** Other properties of the node (written by other parts of the service) stay. */
    static final String WRITE_CONCEPTS = """
            UNWIND $rows AS r
            MERGE (c:Concept {id: r.id})
            SET c += r.props, c.appliedLsn = $lsn, c.rebuild = $rebuild
            WITH r
            OPTIONAL MATCH (t:DeletedConcept {id: r.id})
            DETACH DELETE t""";

    static final String WRITE_MEMBERSHIPS = """
            UNWIND $rows AS m
            MATCH (c:Concept {id: m.conceptId})
            MERGE (k:Category {id: m.categoryId})
            CREATE (c)-[:INCLUDES {id: m.id, weight: m.weight, x: m.x, y: m.y}]->(k)""";

    private static final Map<RelationType, String> DELETE_RELATIONS_BY_CONCEPT = perType("""
            UNWIND $ids AS id
            MATCH ()-[x:%s {conceptId: id}]->()
            DELETE x""");

    /** A relation stored under its id by another concept (only a damaged graph has that) would block the create. */
    private static final Map<RelationType, String> DELETE_RELATIONS_BY_ID = perType("""
            UNWIND $rows AS r
            MATCH ()-[x:%s {id: r.id}]->()
            DELETE x""");

    private static final Map<RelationType, String> WRITE_RELATIONS = perType("""
            UNWIND $rows AS r
            MATCH (c:Concept {id: r.conceptId})
            MERGE (a:Category {id: r.fromId})
            MERGE (b:Category {id: r.toId})
            CREATE (a)-[x:%s {id: r.id}]->(b)
            SET x.conceptId = r.conceptId, x.weight = r.weight, x.rationale = r.rationale,
                x.owner = c.owner, x.visibility = c.visibility""");

    /**
     * Concepts neither written by this rebuild nor applied by the stream above S: not in the snapshot (deleted
     * before S, or never created). Removed as the projection removes a deleted concept, with a tombstone at S.
     */
    static final String FIND_UNSEEN_CONCEPTS = """
            MATCH (c:Concept)
            WHERE coalesce(c.appliedLsn, 0) < $lsn AND coalesce(c.rebuild, '') <> $rebuild
            RETURN c.id AS id LIMIT $limit""";

    /** The candidates again, under the locks: the stream may have written one above S since the scan. */
    static final String RECHECK_CONCEPTS = """
            UNWIND $ids AS id
            MATCH (c:Concept {id: id})
            WHERE coalesce(c.appliedLsn, 0) < $lsn AND coalesce(c.rebuild, '') <> $rebuild
            RETURN c.id AS id""";

    static final String DELETE_CONCEPTS = """
            UNWIND $ids AS id
            MATCH (c:Concept {id: id})
            DETACH DELETE c
            WITH id
            MERGE (t:DeletedConcept {id: id})
            SET t.appliedLsn = CASE WHEN coalesce(t.appliedLsn, 0) < $lsn THEN $lsn ELSE t.appliedLsn END,
                t.deletedAt = coalesce(t.deletedAt, $now)""";

    /** Relations whose concept is not in the graph: every relation is written together with its concept. */
    private static final Map<RelationType, String> FIND_STRAY_RELATIONS = perType("""
            MATCH ()-[x:%s]->()
            WHERE x.conceptId IS NULL OR NOT EXISTS { MATCH (:Concept {id: x.conceptId}) }
            RETURN elementId(x) AS id LIMIT $limit""");

    private static final Map<RelationType, String> DELETE_STRAY_RELATIONS = perType("""
            UNWIND $ids AS id
            MATCH ()-[x:%s]->() WHERE elementId(x) = id
              AND (x.conceptId IS NULL OR NOT EXISTS { MATCH (:Concept {id: x.conceptId}) })
            DELETE x
            RETURN count(*) AS deleted""");

    /**
     * Categories not in the snapshot, not applied by the stream above S and used by nothing. Orphans that are in
     * PostgreSQL stay, as in the projection (categories are shared and never deleted by concept-service).
     */
    static final String FIND_STRAY_CATEGORIES = """
            MATCH (k:Category)
            WHERE coalesce(k.appliedLsn, 0) < $lsn AND coalesce(k.rebuild, '') <> $rebuild AND NOT EXISTS { (k)--() }
            RETURN k.id AS id LIMIT $limit""";

    static final String DELETE_STRAY_CATEGORIES = """
            UNWIND $ids AS id
            MATCH (k:Category {id: id})
            WHERE coalesce(k.appliedLsn, 0) < $lsn AND coalesce(k.rebuild, '') <> $rebuild AND NOT EXISTS { (k)--() }
            DELETE k
            RETURN count(*) AS deleted""";

    /** What one batch of concepts did. */
    public record Batch(int written, int skipped, int unknownTypes) {
    }

    private static final int TRANSIENT_RETRIES = 5;

    private final Driver driver;
    /** Nanoseconds spent waiting for the progress locks, and holding them (the projector's wait), all rebuilds. */
    private final LongAdder lockWait = new LongAdder();
    private final LongAdder work = new LongAdder();

    public RebuildWriter(Driver driver) {
        this.driver = driver;
    }

    static Map<RelationType, String> perType(String template) {
        Map<RelationType, String> texts = new EnumMap<>(RelationType.class);
        for (RelationType type : RelationType.values()) {
            texts.put(type, template.formatted(type.name()));
        }
        return Map.copyOf(texts);
    }

    public int writeCategories(List<SourceSnapshot.Category> batch, long lsn, String rebuild) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SourceSnapshot.Category c : batch) {
            rows.add(params("id", c.id(), "name", c.name(), "canonicalName", c.canonicalName(),
                    "description", c.description()));
        }
        return locked(tx -> tx.run(WRITE_CATEGORIES, Map.of("rows", rows, "lsn", lsn, "rebuild", rebuild))
                .single().get("written").asInt());
    }

    /**
     * Replaces node, memberships and relations of every concept of the batch whose applied LSN (node or
     * tombstone) is below S; the others were written by the stream after S and are left as they are.
     */
    public Batch writeConcepts(List<SourceSnapshot.Concept> batch, long lsn, String rebuild) {
        List<String> ids = batch.stream().map(SourceSnapshot.Concept::id).toList();
        return locked(tx -> {
            Map<String, Long> applied = new HashMap<>();
            for (Record r : tx.run(READ_CONCEPT_LSNS, Map.of("ids", ids)).list()) {
                applied.put(r.get("id").asString(), Math.max(r.get("live").asLong(), r.get("deleted").asLong()));
            }
            List<SourceSnapshot.Concept> older = batch.stream()
                    .filter(c -> applied.getOrDefault(c.id(), 0L) < lsn).toList();
            int unknown = 0;
            if (!older.isEmpty()) {
                unknown = replace(tx, older, lsn, rebuild);
            }
            return new Batch(older.size(), batch.size() - older.size(), unknown);
        });
    }

    private int replace(Transaction tx, List<SourceSnapshot.Concept> concepts, long lsn, String rebuild) {
        List<String> ids = concepts.stream().map(SourceSnapshot.Concept::id).toList();
        List<Map<String, Object>> conceptRows = new ArrayList<>();
        List<Map<String, Object>> membershipRows = new ArrayList<>();
        Map<RelationType, List<Map<String, Object>>> relationRows = new EnumMap<>(RelationType.class);
        int unknown = 0;
        for (SourceSnapshot.Concept c : concepts) {
            Map<String, Object> props = new HashMap<>();
            props.put("name", c.name());
            props.put("description", c.description());
            props.put("tradition", c.tradition());
            props.put("owner", c.owner());
            props.put("visibility", c.visibility());
            props.put("updatedAt", c.updatedAt());
            conceptRows.add(params("id", c.id(), "props", props));
            for (SourceSnapshot.Membership m : c.memberships()) {
                membershipRows.add(params("id", m.id(), "conceptId", c.id(), "categoryId", m.categoryId(),
                        "weight", m.weight(), "x", m.x(), "y", m.y()));
            }
            for (SourceSnapshot.Relation r : c.relations()) {
                var type = RelationType.of(r.type());
                if (type.isEmpty()) {
                    // as the projector: a type the service does not know yet is skipped, never put into a query
                    unknown++;
                    LOG.warnf("rebuild: skipping relation %s of concept %s: unknown relation type '%s'", r.id(),
                            c.id(), r.type());
                    continue;
                }
                relationRows.computeIfAbsent(type.get(), t -> new ArrayList<>()).add(params("id", r.id(),
                        "conceptId", c.id(), "fromId", r.fromId(), "toId", r.toId(), "weight", r.weight(),
                        "rationale", r.rationale()));
            }
        }
        Map<String, Object> scope = Map.of("lsn", lsn, "rebuild", rebuild);
        for (RelationType type : RelationType.values()) {
            tx.run(DELETE_RELATIONS_BY_CONCEPT.get(type), Map.of("ids", ids)).consume();
        }
        tx.run(DELETE_MEMBERSHIPS, Map.of("ids", ids)).consume();
        tx.run(WRITE_CONCEPTS, with(scope, "rows", conceptRows)).consume();
        if (!membershipRows.isEmpty()) {
            tx.run(WRITE_MEMBERSHIPS, Map.of("rows", membershipRows)).consume();
        }
        relationRows.forEach((type, rows) -> {
            tx.run(DELETE_RELATIONS_BY_ID.get(type), Map.of("rows", rows)).consume();
            tx.run(WRITE_RELATIONS.get(type), Map.of("rows", rows)).consume();
        });
        return unknown;
    }

    /*
     * The sweeps look for candidates without the locks (a scan of a whole label or relationship type may take a
     * while, and the projectors would wait for it), then delete them in a locked transaction that checks each
     * candidate again. A step returns how many candidates it found: 0 = nothing left.
     */

    /** One step of the sweep of concepts (at most {@code limit}): how many candidates were found. */
    public int sweepConcepts(long lsn, String rebuild, int limit, LongAdder deleted) {
        Map<String, Object> scope = Map.of("lsn", lsn, "rebuild", rebuild, "limit", limit);
        List<String> candidates = read(tx -> tx.run(FIND_UNSEEN_CONCEPTS, scope).list(r -> r.get("id").asString()));
        if (candidates.isEmpty()) {
            return 0;
        }
        deleted.add(locked(tx -> {
            List<String> ids = tx.run(RECHECK_CONCEPTS, with(scope, "ids", candidates)).list(r -> r.get("id").asString());
            if (!ids.isEmpty()) {
                for (RelationType type : RelationType.values()) {
                    tx.run(DELETE_RELATIONS_BY_CONCEPT.get(type), Map.of("ids", ids)).consume();
                }
                tx.run(DELETE_CONCEPTS, Map.of("ids", ids, "lsn", lsn, "now", Instant.now().toString())).consume();
            }
            return ids.size();
        }));
        return candidates.size();
    }

    /** One step of the sweep of stray relations (every type): how many candidates were found. */
    public int sweepRelations(int limit, LongAdder deleted) {
        int found = 0;
        for (RelationType type : RelationType.values()) {
            List<String> candidates = read(tx -> tx.run(FIND_STRAY_RELATIONS.get(type), Map.of("limit", limit))
                    .list(r -> r.get("id").asString()));
            if (!candidates.isEmpty()) {
                found += candidates.size();
                deleted.add(locked(tx -> tx.run(DELETE_STRAY_RELATIONS.get(type), Map.of("ids", candidates))
                        .single().get("deleted").asInt()));
            }
        }
        return found;
    }

    /** One step of the sweep of stray categories: how many candidates were found. */
    public int sweepCategories(long lsn, String rebuild, int limit, LongAdder deleted) {
        Map<String, Object> scope = Map.of("lsn", lsn, "rebuild", rebuild, "limit", limit);
        List<String> candidates = read(tx -> tx.run(FIND_STRAY_CATEGORIES, scope).list(r -> r.get("id").asString()));
        if (candidates.isEmpty()) {
            return 0;
        }
        deleted.add(locked(tx -> tx.run(DELETE_STRAY_CATEGORIES, with(scope, "ids", candidates))
                .single().get("deleted").asInt()));
        return candidates.size();
    }

    private <T> T read(Function<Transaction, T> body) {
        try (Session session = driver.session(Session.class); Transaction tx = session.beginTransaction()) {
            T result = body.apply(tx);
            tx.commit();
            return result;
        }
    }

    /**
     * One transaction that first takes every progress lock. A transient refusal (a deadlock with a writer that
     * takes no progress lock, e.g. on a concept node) is tried again at once, up to {@link #TRANSIENT_RETRIES} times:
     * the transaction was rolled back, and it reads the applied LSNs again.
     */
    private <T> T locked(Function<Transaction, T> body) {
        for (int attempt = 1; ; attempt++) {
            try (Session session = driver.session(Session.class); Transaction tx = session.beginTransaction()) {
                long started = System.nanoTime();
                tx.run(LOCK_PROGRESS).consume();
                long locked = System.nanoTime();
                T result = body.apply(tx);
                tx.commit();
                lockWait.add(locked - started);
                work.add(System.nanoTime() - locked);
                return result;
            } catch (TransientException e) {
                if (attempt >= TRANSIENT_RETRIES) {
                    throw e;
                }
                LOG.infof("rebuild transaction refused as transient (%s), trying again", e.getMessage());
            }
        }
    }

    /** Milliseconds waited for the progress locks so far (all rebuilds of this process). */
    public long lockWaitMs() {
        return TimeUnit.NANOSECONDS.toMillis(lockWait.sum());
    }

    /** Milliseconds the progress locks were held so far: what the projectors waited at most. */
    public long lockHeldMs() {
        return TimeUnit.NANOSECONDS.toMillis(work.sum());
    }

    private static Map<String, Object> with(Map<String, Object> base, String name, Object value) {
        Map<String, Object> all = new HashMap<>(base);
        all.put(name, value);
        return all;
    }

    static Map<String, Object> params(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
