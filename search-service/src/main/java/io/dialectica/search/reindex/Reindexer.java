package io.dialectica.search.reindex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.Lsn;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.BulkBody;
import io.dialectica.search.index.CategoryDoc;
import io.dialectica.search.embedding.EmbeddingIndex;
import io.dialectica.search.index.ConceptDoc;
import io.dialectica.search.index.Indexes;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.index.OpenSearchException;
import io.dialectica.search.projection.BatchWriter;
import io.dialectica.search.projection.Projector;
import io.dialectica.search.progress.ProgressDocs;
import io.dialectica.search.progress.StoreProgress;
import io.dialectica.search.service.SearchCache;
import io.dialectica.service.problem.ApiProblem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Rebuilds the concept index from PostgreSQL's current state without downtime (README: "Rebuilding").
 *
 * <ol>
 *   <li>Create a fresh index N and add it to the write alias: every replica's projector writes every later batch
 *       into N too (it resolves the alias after each poll: a batch that missed N holds only groups committed
 *       before, which the snapshot has). Copy the progress documents into N.</li>
 *   <li>Read S = {@code pg_current_wal_insert_lsn()}, then open a REPEATABLE READ, READ ONLY transaction: one
 *       consistent snapshot that contains every transaction committed at or before S.</li>
 *   <li>Write one document per concept into N with external version S ({@code 409} = the projector already wrote
 *       a newer state: kept), and the categories into the side index with version S (older ones only).</li>
 *   <li>On this replica's projector thread: fan out into N the category changes applied above S (the snapshot
 *       missed them, and the projectors could not reach documents N did not hold yet), refresh N, swap both aliases
 *       from the old index to N in one atomic action (N is then the only write target).</li>
 * </ol>
 * Searches keep reading the old index through the alias until the swap.
 */
@ApplicationScoped
public class Reindexer {

    private static final Logger LOG = Logger.getLogger(Reindexer.class);

    @RegisterForReflection
    public record Result(String index, String previous, String snapshotLsn, long concepts, long categories,
            int categoriesCaughtUp, List<String> deleted, long tookMs) {
    }

    private final DataSource dataSource;
    private final OpenSearch os;
    private final Indexes indexes;
    private final Projector projector;
    private final BatchWriter writer;
    private final ObjectMapper mapper;
    private final SearchConfig config;
    private final SearchCache cache;
    private final StoreProgress view;
    private final EmbeddingIndex embeddings;
    private final AtomicBoolean running = new AtomicBoolean();

    public Reindexer(DataSource dataSource, OpenSearch os, Indexes indexes, Projector projector, BatchWriter writer,
            ObjectMapper mapper, SearchConfig config, SearchCache cache, StoreProgress view, EmbeddingIndex embeddings) {
        this.embeddings = embeddings;
        this.view = view;
        this.dataSource = dataSource;
        this.os = os;
        this.indexes = indexes;
        this.projector = projector;
        this.writer = writer;
        this.mapper = mapper;
        this.config = config;
        this.cache = cache;
    }

    public boolean isRunning() {
        return running.get();
    }

    public Result reindex() {
        if (!running.compareAndSet(false, true)) {
            throw ApiProblem.conflict(null, "a reindex is already running");
        }
        long started = System.nanoTime();
        String index = null;
        try {
            index = indexes.createConceptIndex();
            String target = index;
            // every replica's projector writes into it from its next poll on (the write alias)
            indexes.addWriteTarget(index);
            copyProgress(indexes.resolveTargets().live(), index);
            LOG.infof("reindex: writing into %s (and the live index) from now on", index);
            Snapshot snapshot = load(index);
            LOG.infof("reindex: %d concepts and %d categories of snapshot %s loaded into %s", snapshot.concepts,
                    snapshot.categories, Lsn.format(snapshot.lsn), index);
            Result result = await(projector.onProjectorThread(() -> finish(target, snapshot)));
            cache.bump();
            LOG.infof("reindex done: alias %s -> %s (was %s) in %d ms", indexes.alias(), index, result.previous(),
                    result.tookMs());
            return new Result(result.index(), result.previous(), result.snapshotLsn(), result.concepts(),
                    result.categories(), result.categoriesCaughtUp(), result.deleted(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (RuntimeException e) {
            if (index != null) {
                String failed = index;
                try {
                    indexes.removeWriteTarget(failed);
                    os.call("DELETE", "/" + failed, null);
                } catch (RuntimeException cleanup) {
                    LOG.warnf("reindex clean-up of %s failed: %s", failed, cleanup.getMessage());
                }
            }
            throw e;
        } finally {
            running.set(false);
        }
    }

    private record Snapshot(long lsn, long concepts, long categories) {
    }

    /** Runs on the projector thread: nothing else writes meanwhile. */
    private Result finish(String index, Snapshot snapshot) {
        List<CategoryDoc> newer = categoriesAbove(snapshot.lsn);
        int caughtUp = writer.fanOutInto(index, newer);
        os.call("POST", "/" + index + "/_refresh", null).orThrow("refresh " + index);
        String previous = indexes.resolveTargets().live();
        indexes.swap(previous, index);
        List<String> deleted = indexes.deleteOld(index, config.reindex().keepOld());
        return new Result(index, previous, Lsn.format(snapshot.lsn), snapshot.concepts, snapshot.categories,
                newer.size() == 0 ? 0 : caughtUp, deleted, 0);
    }

    /**
     * The live index's progress documents into the new one (read after it became a write target, before the
     * snapshot LSN is read: every group they cover committed before it, so the snapshot holds it). Spares token
     * reads a wait right after the swap for partitions that were quiet during the rebuild.
     */
    private void copyProgress(String live, String index) {
        Map<String, Integer> counts = view.counts();
        if (counts.isEmpty()) {
            return;
        }
        ObjectNode body = mapper.createObjectNode();
        var ids = body.putArray("ids");
        counts.forEach((topic, n) -> IntStream.range(0, n).forEach(p -> ids.add(ProgressDocs.id(topic, p))));
        JsonNode docs = os.call("POST", "/" + live + "/_mget?realtime=true", body).orThrow("reading the progress")
                .body().path("docs");
        List<ProgressDocs.Position> positions = ProgressDocs.fromDocs(docs);
        if (!positions.isEmpty()) {
            writer.writeProgress(positions, BatchWriter.Targets.of(index), "reindex");
        }
    }

    private List<CategoryDoc> categoriesAbove(long lsn) {
        List<CategoryDoc> result = new ArrayList<>();
        Object after = null;
        while (true) {
            ObjectNode query = mapper.createObjectNode();
            query.put("size", 1000).put("version", true);
            query.putObject("query").putObject("range").putObject("lsn").put("gt", lsn);
            query.putArray("sort").addObject().put("id", "asc");
            if (after != null) {
                query.set("search_after", (JsonNode) after);
            }
            JsonNode hits = os.call("POST", "/" + indexes.categories() + "/_refresh", null).ok()
                    ? os.call("POST", "/" + indexes.categories() + "/_search", query).orThrow("categories above snapshot")
                            .body().path("hits").path("hits")
                    : mapper.createArrayNode();
            for (JsonNode hit : hits) {
                CategoryDoc doc = mapper.convertValue(hit.path("_source"), CategoryDoc.class);
                doc.lsn = hit.path("_version").asLong();
                result.add(doc);
            }
            if (hits.size() < 1000) {
                return result;
            }
            after = hits.get(hits.size() - 1).path("sort");
        }
    }

    private Snapshot load(String index) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            long lsn;
            // taken before the snapshot: every transaction committed at or before it is in the snapshot
            try (Statement s = connection.createStatement();
                    ResultSet rs = s.executeQuery("select pg_current_wal_insert_lsn()::text")) {
                rs.next();
                lsn = Lsn.parse(rs.getString(1));
            }
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                long categories = loadCategories(connection, lsn);
                long concepts = loadConcepts(connection, index, lsn);
                connection.commit();
                return new Snapshot(lsn, concepts, categories);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the concepts database failed: " + e.getMessage(), e);
        }
    }

    private long loadCategories(Connection connection, long lsn) throws SQLException {
        Bulk bulk = new Bulk();
        long count = 0;
        try (PreparedStatement ps = connection.prepareStatement(
                "select id, name, canonical_name, description from categories")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    CategoryDoc doc = new CategoryDoc(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), false, lsn);
                    bulk.add(indexes.categories(), doc.id, lsn, doc);
                    count++;
                    if (bulk.size() >= config.reindex().batchSize()) {
                        bulk.flush();
                    }
                }
            }
        }
        bulk.flush();
        return count;
    }

    /** Three cursors sorted by concept id, merged: memory stays bounded by one batch. */
    private long loadConcepts(Connection connection, String index, long lsn) throws SQLException {
        Bulk bulk = new Bulk();
        List<ConceptDoc> pending = new ArrayList<>();
        long count = 0;
        try (PreparedStatement concepts = connection.prepareStatement("""
                select id::text, owner, name, description, tradition, visibility, quality_score, version, created_at, updated_at
                from concepts order by id::text collate "C"
                """);
                PreparedStatement members = connection.prepareStatement("""
                        select cc.concept_id::text, cc.id::text, cc.category_id::text, cc.weight, c.name, c.description
                        from concept_categories cc join categories c on c.id = cc.category_id
                        order by cc.concept_id::text collate "C", cc.id::text
                        """);
                PreparedStatement relations = connection.prepareStatement("""
                        select concept_id::text, id::text, from_category_id::text, to_category_id::text, type, weight, rationale
                        from concept_relations order by concept_id::text collate "C", id::text
                        """)) {
            concepts.setFetchSize(500);
            members.setFetchSize(2000);
            relations.setFetchSize(2000);
            try (ResultSet c = concepts.executeQuery(); ResultSet m = members.executeQuery();
                    ResultSet r = relations.executeQuery()) {
                boolean hasM = m.next();
                boolean hasR = r.next();
                while (c.next()) {
                    ConceptDoc doc = new ConceptDoc();
                    doc.id = c.getString(1);
                    doc.owner = c.getString(2);
                    doc.name = c.getString(3);
                    doc.nameSuggest = doc.name;
                    doc.description = c.getString(4);
                    doc.tradition = c.getString(5);
                    doc.visibility = c.getString(6);
                    doc.qualityScore = c.getDouble(7);
                    doc.conceptVersion = c.getLong(8);
                    doc.createdAt = instant(c.getObject(9, OffsetDateTime.class));
                    doc.updatedAt = instant(c.getObject(10, OffsetDateTime.class));
                    doc.appliedLsn = lsn;
                    // memberships and relations of concepts deleted meanwhile cannot exist (one snapshot)
                    while (hasM && m.getString(1).compareTo(doc.id) < 0) {
                        hasM = m.next();
                    }
                    while (hasM && m.getString(1).equals(doc.id)) {
                        ConceptDoc.CategoryEntry entry = new ConceptDoc.CategoryEntry();
                        entry.membershipId = m.getString(2);
                        entry.id = m.getString(3);
                        entry.weight = m.getDouble(4);
                        entry.name = m.getString(5);
                        entry.description = m.getString(6);
                        entry.lsn = lsn;
                        doc.categories.add(entry);
                        hasM = m.next();
                    }
                    while (hasR && r.getString(1).compareTo(doc.id) < 0) {
                        hasR = r.next();
                    }
                    while (hasR && r.getString(1).equals(doc.id)) {
                        ConceptDoc.RelationEntry relation = new ConceptDoc.RelationEntry();
                        relation.id = r.getString(2);
                        relation.from = r.getString(3);
                        relation.to = r.getString(4);
                        relation.type = r.getString(5);
                        relation.weight = r.getDouble(6);
                        relation.rationale = r.getString(7);
                        doc.relations.add(relation);
                        hasR = r.next();
                    }
                    pending.add(doc);
                    count++;
                    if (pending.size() >= config.reindex().batchSize()) {
                        writeConcepts(bulk, index, lsn, pending);
                    }
                }
            }
        }
        writeConcepts(bulk, index, lsn, pending);
        return count;
    }

    /**
     * A batch of snapshot documents with the vectors of their texts from the side index (SQL has no vectors), and
     * after the write a second look for vectors stored meanwhile (the vector consumer found no document to put
     * them in yet), as the projector does after its bulks.
     */
    private void writeConcepts(Bulk bulk, String index, long lsn, List<ConceptDoc> docs) {
        if (docs.isEmpty()) {
            return;
        }
        boolean vectors = config.embeddings().enabled();
        if (vectors) {
            embeddings.attach(docs);
        }
        for (ConceptDoc doc : docs) {
            bulk.add(index, doc.id, lsn, doc);
        }
        bulk.flush();
        if (vectors) {
            writer.syncEmbeddings(EmbeddingIndex.lacking(docs), BatchWriter.Targets.of(index));
        }
        docs.clear();
    }

    private static String instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the projector did not take the reindex step within 10 minutes", e);
        }
    }

    /** Snapshot writes: external version S; a conflict means the projector already wrote a newer state. */
    private final class Bulk {
        private BulkBody body = new BulkBody(mapper, 256 * 1024);

        void add(String index, String id, long version, Object source) {
            body.index(index, id, version, "external", source);
        }

        int size() {
            return body.actions();
        }

        void flush() {
            if (body.isEmpty()) {
                return;
            }
            OpenSearch.Reply reply = os.ndjson("/_bulk", body.bytes()).orThrow("reindex bulk");
            if (reply.body().path("errors").asBoolean(false)) {
                for (JsonNode item : reply.body().path("items")) {
                    int status = item.path("index").path("status").asInt();
                    if (status >= 300 && status != 409) {
                        throw new OpenSearchException("reindex write failed: " + item.path("index").path("error"), status);
                    }
                }
            }
            body = new BulkBody(mapper, 256 * 1024);
        }
    }
}
