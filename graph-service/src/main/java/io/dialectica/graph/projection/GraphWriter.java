package io.dialectica.graph.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.rows.CategoryRow;
import io.dialectica.contracts.rows.ConceptRow;
import io.dialectica.contracts.rows.MembershipRow;
import io.dialectica.contracts.rows.RelationRow;
import io.dialectica.graph.config.GraphConfig;
import io.dialectica.graph.model.RelationType;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies change groups to Neo4j: one write transaction for a list of groups, each group all or
 * nothing. Inside the transaction the applied commit LSN of every key is read first; a group whose
 * {@code commitLsn} is not above it (plus the groups of the same key accepted before it here) is a
 * repeat and changes nothing. The accepted groups' net changes ({@link Changeset}) are written with
 * UNWIND statements, and each key's {@code appliedLsn} is set in the same transaction.
 *
 * <p><b>Several replicas.</b> The transaction begins by writing the {@code (:ProjectionProgress)} node of every
 * partition it covers ({@link PartitionPosition}, the higher position wins), in a fixed order. That takes the
 * node's write lock first thing, so two writers of one partition (the old and the new owner around a rebalance, or
 * a replica the group gave up on that still finishes its transaction) run one after the other, and the second
 * reads the applied LSNs the first committed: its groups are repeats, never applied twice, never an older state
 * over a newer one. Categories, which groups of several partitions touch, are locked before their LSN is compared.
 * The position is committed with the changes it covers: a reader that sees it sees them.
 *
 * <p>Relationship types come from {@link RelationType}: one prebuilt Cypher text per type and
 * statement; an unknown type code is never put into a query (the relation is skipped and counted).
 */
@ApplicationScoped
public class GraphWriter {

    private static final Logger LOG = Logger.getLogger(GraphWriter.class);

    /**
     * What one transaction did. {@code textTouched}: concepts whose embedded text may have changed (row or
     * memberships written); {@code renamedCategories}: categories whose name changed (every concept including them
     * may embed another text). The embedding worker decides from the text itself whether anything changed.
     */
    public record Result(List<ChangeGroup> applied, List<ChangeGroup> repeats, int events, int unknownTypes,
            int unreadable, Set<String> textTouched, Set<String> renamedCategories) {
    }

    static final String READ_CONCEPT_LSNS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (c:Concept {id: id})
            OPTIONAL MATCH (t:DeletedConcept {id: id})
            RETURN id, coalesce(c.appliedLsn, 0) AS live, coalesce(t.appliedLsn, 0) AS deleted""";

    static final String READ_CATEGORY_LSNS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (k:Category {id: id})
            RETURN id, coalesce(k.appliedLsn, 0) AS live, 0 AS deleted""";

    /**
     * The partitions this transaction covers, in id order: locks their progress nodes (the first write takes the
     * lock, then the stored values are read under it) and raises position and offset. Written first, committed
     * with everything else.
     */
    static final String WRITE_PROGRESS = """
            UNWIND $rows AS r
            MERGE (p:ProjectionProgress {id: r.id})
            ON CREATE SET p.topic = r.topic, p.partition = r.partition, p.position = 0, p.offset = -1
            SET p.writer = $writer, p.updatedAt = $now
            WITH p, r
            SET p.position = CASE WHEN p.position < r.position THEN r.position ELSE p.position END,
                p.offset = CASE WHEN p.offset < r.offset THEN r.offset ELSE p.offset END,
                p.partitions = CASE WHEN coalesce(p.partitions, 0) < r.partitions THEN r.partitions
                               ELSE p.partitions END""";

    /**
     * Copies (concept topic) and the authority (category topic) alike: the higher commit LSN wins. Groups of
     * different partitions (maybe on different replicas) touch the same category, so the node is locked (a write)
     * before its LSN is compared: no older state can overwrite a newer one committed meanwhile.
     */
    static final String UPSERT_CATEGORIES = """
            UNWIND $rows AS r
            MERGE (k:Category {id: r.id})
            SET k.locked = true
            WITH k, r, coalesce(k.appliedLsn, 0) < r.lsn AS newer, coalesce(k.name, '') AS oldName
            SET k.name = CASE WHEN newer THEN r.name ELSE k.name END,
                k.canonicalName = CASE WHEN newer THEN r.canonicalName ELSE k.canonicalName END,
                k.description = CASE WHEN newer THEN r.description ELSE k.description END,
                k.appliedLsn = CASE WHEN newer THEN r.lsn ELSE k.appliedLsn END
            REMOVE k.locked
            WITH k, oldName WHERE oldName <> coalesce(k.name, '')
            RETURN k.id AS id""";

    static final String DELETE_CATEGORIES = """
            UNWIND $rows AS r
            MATCH (k:Category {id: r.id}) WHERE coalesce(k.appliedLsn, 0) < r.lsn
            DETACH DELETE k""";

    /** Every accepted concept key that is not deleted: its applied LSN, and its row if one changed. */
    static final String MERGE_CONCEPTS = """
            UNWIND $rows AS r
            MERGE (c:Concept {id: r.id})
            ON CREATE SET c.visibility = 'PRIVATE'
            SET c += r.props, c.appliedLsn = r.lsn
            WITH r
            OPTIONAL MATCH (t:DeletedConcept {id: r.id})
            DETACH DELETE t""";

    static final String DELETE_MEMBERSHIPS = """
            UNWIND $rows AS m
            MATCH (:Concept {id: m.conceptId})-[r:INCLUDES]->(:Category {id: m.categoryId})
            WHERE r.id = m.id
            DELETE r""";

    static final String UPSERT_MEMBERSHIPS = """
            UNWIND $rows AS m
            MATCH (c:Concept {id: m.conceptId})
            OPTIONAL MATCH (c)-[moved:INCLUDES {id: m.id}]->(other:Category) WHERE other.id <> m.categoryId
            DELETE moved
            WITH DISTINCT c, m
            MERGE (k:Category {id: m.categoryId})
            MERGE (c)-[r:INCLUDES]->(k)
            SET r.id = m.id, r.weight = m.weight, r.x = m.x, r.y = m.y""";

    /** The concept node and its tombstone: a re-delivered older create is recognised as stale. */
    static final String DELETE_CONCEPTS = """
            UNWIND $rows AS r
            OPTIONAL MATCH (c:Concept {id: r.id})
            DETACH DELETE c
            WITH r
            MERGE (t:DeletedConcept {id: r.id})
            SET t.appliedLsn = r.lsn, t.deletedAt = r.deletedAt""";

    private static final Map<RelationType, String> UPSERT_RELATIONS = perType("""
            UNWIND $rows AS r
            MATCH (c:Concept {id: r.conceptId})
            MERGE (a:Category {id: r.fromId})
            MERGE (b:Category {id: r.toId})
            MERGE (a)-[x:%s {id: r.id}]->(b)
            SET x.conceptId = r.conceptId, x.weight = r.weight, x.rationale = r.rationale,
                x.owner = c.owner, x.visibility = c.visibility""");

    private static final Map<RelationType, String> DELETE_RELATIONS_BY_ID = perType("""
            UNWIND $ids AS id
            MATCH ()-[x:%s {id: id}]->()
            DELETE x""");

    private static final Map<RelationType, String> DELETE_RELATIONS_BY_CONCEPT = perType("""
            UNWIND $ids AS id
            MATCH ()-[x:%s {conceptId: id}]->()
            DELETE x""");

    /** The copies of the concept's owner and visibility that path queries filter on. */
    private static final Map<RelationType, String> REFRESH_RELATION_VISIBILITY = perType("""
            UNWIND $rows AS r
            MATCH ()-[x:%s {conceptId: r.id}]->()
            SET x.owner = r.owner, x.visibility = r.visibility""");

    private final Driver driver;
    private final ObjectMapper mapper;
    private final String conceptTopic;
    /** This process, on the progress nodes it writes (who wrote a partition last). */
    private final String writerName;

    public GraphWriter(Driver driver, ObjectMapper mapper, GraphConfig config) {
        this.driver = driver;
        this.mapper = mapper;
        this.conceptTopic = config.topics().conceptChanges();
        this.writerName = System.getenv().getOrDefault("HOSTNAME", "graph-service") + "/" + ProcessHandle.current().pid();
    }

    static Map<RelationType, String> perType(String template) {
        Map<RelationType, String> texts = new EnumMap<>(RelationType.class);
        for (RelationType type : RelationType.values()) {
            texts.put(type, template.formatted(type.name()));
        }
        return Map.copyOf(texts);
    }

    /**
     * Applies the groups (in partition order) in one Neo4j transaction, together with the positions of their
     * partitions: each group's partition at least at the group's commit LSN, plus {@code positions} (watermarks,
     * offsets). Throws when Neo4j fails: then nothing of it was applied, and the caller tries again (repeats are
     * recognised by their LSN).
     */
    public Result apply(List<ChangeGroup> groups, Collection<PartitionPosition> positions) {
        Map<String, PartitionPosition> covered = new TreeMap<>();
        for (PartitionPosition p : positions) {
            covered.merge(p.id(), p, PartitionPosition::merge);
        }
        for (ChangeGroup g : groups) {
            PartitionPosition p = new PartitionPosition(g.topic(), g.partition(), g.commitLsn(), -1, 0);
            covered.merge(p.id(), p, PartitionPosition::merge);
        }
        try (Session session = driver.session(Session.class); Transaction tx = session.beginTransaction()) {
            writeProgress(tx, covered.values());
            Result result = groups.isEmpty() ? EMPTY : apply(tx, groups);
            tx.commit();
            return result;
        }
    }

    private static final Result EMPTY = new Result(List.of(), List.of(), 0, 0, 0, Set.of(), Set.of());

    private void writeProgress(Transaction tx, Collection<PartitionPosition> positions) {
        if (positions.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PartitionPosition p : positions) {
            rows.add(p.params());
        }
        tx.run(WRITE_PROGRESS, Map.of("rows", rows, "writer", writerName, "now", Instant.now().toString())).consume();
    }

    private Result apply(Transaction tx, List<ChangeGroup> groups) {
        Set<String> conceptKeys = new LinkedHashSet<>();
        Set<String> categoryKeys = new LinkedHashSet<>();
        for (ChangeGroup g : groups) {
            (conceptTopic.equals(g.topic()) ? conceptKeys : categoryKeys).add(g.key());
        }
        Map<String, Long> conceptApplied = readApplied(tx, READ_CONCEPT_LSNS, conceptKeys);
        Map<String, Long> categoryApplied = readApplied(tx, READ_CATEGORY_LSNS, categoryKeys);

        List<ChangeGroup> applied = new ArrayList<>();
        List<ChangeGroup> repeats = new ArrayList<>();
        int events = 0;
        for (ChangeGroup g : groups) {
            Map<String, Long> known = conceptTopic.equals(g.topic()) ? conceptApplied : categoryApplied;
            long current = known.getOrDefault(g.key(), 0L);
            if (g.commitLsn() > current) {
                known.put(g.key(), g.commitLsn());
                applied.add(g);
                events += g.changes().size();
            } else {
                repeats.add(g);
            }
        }
        Changeset set = Changeset.of(applied, conceptTopic, mapper);
        Set<String> renamed = new LinkedHashSet<>();
        int unknownTypes = write(tx, set, renamed);
        return new Result(applied, repeats, events, unknownTypes, set.unreadable, textTouched(set), renamed);
    }

    /** Concepts whose name, description or set of categories this transaction may have changed (not deleted ones). */
    private static Set<String> textTouched(Changeset set) {
        Set<String> ids = new LinkedHashSet<>();
        for (Changeset.ConceptChange c : set.concepts.values()) {
            if (!c.deleted && c.row != null) {
                ids.add(c.id);
            }
        }
        for (Changeset.MembershipChange m : set.memberships.values()) {
            String id = m.row().conceptId().toString();
            Changeset.ConceptChange c = set.concepts.get(id);
            if (c == null || !c.deleted) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static Map<String, Long> readApplied(Transaction tx, String cypher, Set<String> keys) {
        Map<String, Long> applied = new HashMap<>();
        if (keys.isEmpty()) {
            return applied;
        }
        for (Record r : tx.run(cypher, Map.of("ids", List.copyOf(keys))).list()) {
            applied.put(r.get("id").asString(), Math.max(r.get("live").asLong(), r.get("deleted").asLong()));
        }
        return applied;
    }

    private int write(Transaction tx, Changeset set, Set<String> renamedCategories) {
        if (set.isEmpty()) {
            return 0;
        }
        // 1. categories (shared; MERGE by id, the higher commit LSN wins)
        List<Map<String, Object>> categoryUpserts = new ArrayList<>();
        List<Map<String, Object>> categoryDeletes = new ArrayList<>();
        // in id order: two transactions that lock some of the same categories lock them in the same order
        List<Changeset.CategoryChange> categories = new ArrayList<>(set.categories.values());
        categories.sort(java.util.Comparator.comparing(Changeset.CategoryChange::id));
        for (Changeset.CategoryChange c : categories) {
            if (c.row() == null) {
                categoryDeletes.add(Changeset.params("id", c.id(), "lsn", c.lsn()));
            } else {
                CategoryRow row = c.row();
                categoryUpserts.add(Changeset.params("id", c.id(), "lsn", c.lsn(), "name", row.name(),
                        "canonicalName", row.canonicalName(), "description", row.description()));
            }
        }
        if (!categoryUpserts.isEmpty()) {
            for (Record r : tx.run(UPSERT_CATEGORIES, Map.of("rows", categoryUpserts)).list()) {
                renamedCategories.add(r.get("id").asString());
            }
        }
        run(tx, DELETE_CATEGORIES, "rows", categoryDeletes);

        // 2. concepts: applied LSN of every accepted key, attributes where the row changed
        List<Map<String, Object>> conceptMerges = new ArrayList<>();
        List<Map<String, Object>> visibilityRefreshes = new ArrayList<>();
        List<Map<String, Object>> conceptDeletes = new ArrayList<>();
        List<String> deletedIds = new ArrayList<>();
        for (Changeset.ConceptChange c : set.concepts.values()) {
            if (c.deleted) {
                conceptDeletes.add(Changeset.params("id", c.id, "lsn", c.lsn, "deletedAt",
                        c.deletedAt == null ? null : c.deletedAt.toString()));
                deletedIds.add(c.id);
                continue;
            }
            Map<String, Object> props = new HashMap<>();
            ConceptRow row = c.row;
            if (row != null) {
                props.put("name", row.name());
                props.put("description", row.description());
                props.put("tradition", row.tradition());
                props.put("owner", row.owner());
                props.put("visibility", row.visibility());
                props.put("updatedAt", row.updatedAt() == null ? null : row.updatedAt().toString());
                if (c.refreshRelations) {
                    visibilityRefreshes.add(Changeset.params("id", c.id, "owner", row.owner(), "visibility",
                            row.visibility()));
                }
            }
            conceptMerges.add(Changeset.params("id", c.id, "lsn", c.lsn, "props", props));
        }
        run(tx, MERGE_CONCEPTS, "rows", conceptMerges);
        runPerType(tx, REFRESH_RELATION_VISIBILITY, "rows", visibilityRefreshes);

        // 3. relations that may be stored under an id changed here: removed, then (re)created below
        Map<RelationType, List<String>> storedRelations = new EnumMap<>(RelationType.class);
        for (Changeset.RelationChange r : set.relations.values()) {
            for (RelationType type : r.storedTypes) {
                storedRelations.computeIfAbsent(type, t -> new ArrayList<>()).add(r.id);
            }
        }
        storedRelations.forEach((type, ids) -> run(tx, DELETE_RELATIONS_BY_ID.get(type), "ids", ids));

        // 4. memberships: deletions, then upserts
        List<Map<String, Object>> membershipDeletes = new ArrayList<>();
        List<Map<String, Object>> membershipUpserts = new ArrayList<>();
        for (Changeset.MembershipChange m : set.memberships.values()) {
            MembershipRow row = m.row();
            Map<String, Object> params = Changeset.params("id", row.id().toString(), "conceptId",
                    row.conceptId().toString(), "categoryId", row.categoryId().toString());
            if (m.deleted()) {
                membershipDeletes.add(params);
            } else {
                params.put("weight", row.weight());
                params.put("x", row.x());
                params.put("y", row.y());
                membershipUpserts.add(params);
            }
        }
        run(tx, DELETE_MEMBERSHIPS, "rows", membershipDeletes);
        run(tx, UPSERT_MEMBERSHIPS, "rows", membershipUpserts);

        // 5. relations, one statement per type
        int unknown = 0;
        Map<RelationType, List<Map<String, Object>>> relationUpserts = new EnumMap<>(RelationType.class);
        for (Changeset.RelationChange r : set.relations.values()) {
            if (r.deleted) {
                continue;
            }
            RelationRow row = r.row;
            var type = RelationType.of(row.type());
            if (type.isEmpty()) {
                unknown++;
                LOG.warnf("skipping relation %s of concept %s: unknown relation type '%s' (not in the vocabulary)",
                        r.id, row.conceptId(), row.type());
                continue;
            }
            relationUpserts.computeIfAbsent(type.get(), t -> new ArrayList<>()).add(Changeset.params(
                    "id", r.id, "conceptId", row.conceptId().toString(), "fromId", row.fromCategoryId().toString(),
                    "toId", row.toCategoryId().toString(), "weight", row.weight(), "rationale", row.rationale()));
        }
        relationUpserts.forEach((type, rows) -> run(tx, UPSERT_RELATIONS.get(type), "rows", rows));

        // 6. deleted concepts: their relations, memberships and node; a tombstone keeps the applied LSN
        runPerType(tx, DELETE_RELATIONS_BY_CONCEPT, "ids", deletedIds);
        run(tx, DELETE_CONCEPTS, "rows", conceptDeletes);
        return unknown;
    }

    private static void run(Transaction tx, String cypher, String name, List<?> values) {
        if (!values.isEmpty()) {
            tx.run(cypher, Map.of(name, values)).consume();
        }
    }

    private static void runPerType(Transaction tx, Map<RelationType, String> texts, String name, List<?> values) {
        if (values.isEmpty()) {
            return;
        }
        for (RelationType type : RelationType.values()) {
            run(tx, texts.get(type), name, values);
        }
    }
}
