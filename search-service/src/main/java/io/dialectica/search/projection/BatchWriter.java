package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.embedding.EmbeddingIndex;
import io.dialectica.search.index.BulkBody;
import io.dialectica.search.index.CategoryDoc;
import io.dialectica.search.index.ConceptDoc;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.index.OpenSearchException;
import io.dialectica.search.progress.ProgressDocs;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Applies the complete change groups of one poll to OpenSearch: reads the current documents (one realtime
 * {@code _mget} for the categories and the concepts), applies the groups in partition order, stores changed
 * categories, fans them out, and writes every changed concept document once in one {@code _bulk}, with its last
 * group's commit LSN as external version; then re-checks the categories of what it wrote when another replica may
 * fan categories out ({@link #recheckCategories}). All or nothing from the caller's
 * view: any failure throws, and the caller retries the whole batch (every write is idempotent by version). The
 * progress documents follow in {@link #writeProgress}, once this succeeded.
 */
@ApplicationScoped
public class BatchWriter {

    private static final Logger LOG = Logger.getLogger(BatchWriter.class);
    private static final int FANOUT_PAGE = 500;

    /** What a batch did. */
    public record Outcome(int applied, int repeats, int events, int fanout, int actions, boolean wrote) {
    }

    /** Where writes go: the live index (read for read-modify-write) and, during a rebuild, the new one too. */
    public record Targets(String live, List<String> all) {
        public static Targets of(String live) {
            return new Targets(live, List.of(live));
        }

        public Targets with(String extra) {
            List<String> list = new ArrayList<>(all);
            if (!list.contains(extra)) {
                list.add(extra);
            }
            return new Targets(live, List.copyOf(list));
        }
    }

    private final OpenSearch os;
    private final ObjectMapper mapper;
    private final SearchConfig config;
    private final ProjectionMetrics metrics;
    private final EmbeddingIndex embeddings;

    public BatchWriter(OpenSearch os, ObjectMapper mapper, SearchConfig config, ProjectionMetrics metrics,
            EmbeddingIndex embeddings) {
        this.os = os;
        this.mapper = mapper;
        this.config = config;
        this.metrics = metrics;
        this.embeddings = embeddings;
    }

    /** What {@link #write} did, and where it wrote. */
    public record Written(Outcome outcome, Targets targets) {
    }

    /**
     * Applies the groups while the targets are still being resolved: the documents are read from {@code guess}'s
     * live index (the last poll's) meanwhile, and read again in the rare case the answer names another one (a
     * rebuild switched the alias); every write goes to the resolved targets.
     *
     * @param recheck whether another replica may fan category changes out into the documents written here (it
     *     owns some of the category topic's partitions): then the written documents' categories are re-checked
     */
    public Written write(List<ChangeGroup> groups, Targets guess, CompletableFuture<Targets> resolving,
            boolean recheck) {
        if (groups.isEmpty()) {
            return new Written(new Outcome(0, 0, 0, 0, 0, false), await(resolving));
        }
        String categoryTopic = config.topics().categoryChanges();
        List<ChangeGroup> conceptGroups = new ArrayList<>();
        List<ChangeGroup> categoryGroups = new ArrayList<>();
        for (ChangeGroup group : groups) {
            (group.topic().equals(categoryTopic) ? categoryGroups : conceptGroups).add(group);
        }
        int applied = 0;
        int repeats = 0;
        int events = 0;

        // 1. categories: the side index holds applied[categoryId] and the attributes
        Set<String> categoryIds = new LinkedHashSet<>();
        categoryGroups.forEach(g -> categoryIds.add(g.key()));
        conceptGroups.forEach(g -> categoryIds.addAll(DocumentChanges.referencedCategories(g)));
        Set<String> conceptIds = new LinkedHashSet<>();
        conceptGroups.forEach(g -> conceptIds.add(g.key()));
        // one round trip for both reads (each costs tens of ms on a busy machine, several per poll added up): the
        // concept documents are read before the category bulk below, which writes only the categories index
        long reading = System.nanoTime();
        Map<String, List<JsonNode>> found = mget(Map.of(config.index().categories(), categoryIds,
                guess.live(), conceptIds));
        metrics.read(System.nanoTime() - reading);
        Map<String, CategoryDoc> categories = categories(found.get(config.index().categories()));
        Targets targets = await(resolving);
        Map<String, ConceptDoc> docs = targets.live().equals(guess.live()) ? concepts(found.get(guess.live()))
                : loadConcepts(targets.live(), conceptIds);
        Map<String, CategoryDoc> changedCategories = new LinkedHashMap<>();
        // a repeated category group is fanned out again (idempotent): its first delivery may have stored the
        // category and crashed before its fan-out was written
        Map<String, CategoryDoc> fanCategories = new LinkedHashMap<>();
        for (ChangeGroup group : categoryGroups) {
            CategoryDoc next = DocumentChanges.applyCategoryGroup(categories.get(group.key()), group);
            if (next == null) {
                repeats++;
                CategoryDoc stored = categories.get(group.key());
                if (stored != null && !stored.deleted) {
                    fanCategories.putIfAbsent(group.key(), stored);
                }
                continue;
            }
            categories.put(group.key(), next);
            changedCategories.put(group.key(), next);
            fanCategories.put(group.key(), next);
            applied++;
            events += group.changes().size();
        }
        // the categories are stored (acknowledged) before any fan-out search: a concept written meanwhile by
        // another replica either finds them in its re-check or is found by the search (recheckCategories)
        if (!changedCategories.isEmpty()) {
            BulkBody body = new BulkBody(mapper, 4096);
            List<String> kinds = new ArrayList<>();
            for (CategoryDoc category : changedCategories.values()) {
                body.index(config.index().categories(), category.id, category.lsn, "external", category);
                kinds.add("category");
            }
            bulk(body.bytes(), kinds);
        }

        // 2. concepts: read-modify-write on the live index's documents (read above)
        Set<String> changedDocs = new LinkedHashSet<>();
        for (ChangeGroup group : conceptGroups) {
            ConceptDoc next = DocumentChanges.applyConceptGroup(docs.get(group.key()), group, categories::get);
            if (next == null) {
                repeats++;
                continue;
            }
            docs.put(group.key(), next);
            changedDocs.add(group.key());
            applied++;
            events += group.changes().size();
        }

        // 3. fan-out of category changes: the documents of this batch, then every index's other documents
        Set<String> fannedWorking = new LinkedHashSet<>();
        Map<String, Map<String, ConceptDoc>> fannedStored = new LinkedHashMap<>();
        if (!fanCategories.isEmpty()) {
            for (CategoryDoc category : fanCategories.values()) {
                for (ConceptDoc doc : docs.values()) {
                    if (DocumentChanges.applyCategory(doc, category) && !changedDocs.contains(doc.id)) {
                        fannedWorking.add(doc.id);
                    }
                }
            }
            for (String index : targets.all()) {
                Map<String, ConceptDoc> skip = index.equals(targets.live()) ? docs : Map.of();
                fannedStored.put(index, fanOut(index, fanCategories.values(), skip));
            }
        }

        // 4. vectors: a document whose text changed takes graph-service's vector of the new text if it came already
        // (the side index; graph-service's projection may be ahead of this one), else it keeps the one it has
        List<ConceptDoc> toWrite = new ArrayList<>();
        changedDocs.forEach(id -> toWrite.add(docs.get(id)));
        fannedWorking.forEach(id -> toWrite.add(docs.get(id)));
        fannedStored.values().forEach(m -> toWrite.addAll(m.values()));
        if (config.embeddings().enabled()) {
            long looking = System.nanoTime();
            embeddings.attach(toWrite);
            metrics.vectorsLooked(System.nanoTime() - looking);
        }

        // 5. one bulk for the concept documents
        BulkBody body = new BulkBody(mapper, 64 * 1024);
        List<String> kinds = new ArrayList<>();
        for (String id : changedDocs) {
            ConceptDoc doc = docs.get(id);
            for (String index : targets.all()) {
                body.index(index, id, doc.appliedLsn, "external", doc);
                kinds.add("concept");
            }
        }
        int fanout = 0;
        for (String id : fannedWorking) {
            ConceptDoc doc = docs.get(id);
            for (String index : targets.all()) {
                body.index(index, id, doc.appliedLsn, "external_gte", doc);
                kinds.add("fanout");
                fanout++;
            }
        }
        for (Map.Entry<String, Map<String, ConceptDoc>> byIndex : fannedStored.entrySet()) {
            for (ConceptDoc doc : byIndex.getValue().values()) {
                body.index(byIndex.getKey(), doc.id, doc.appliedLsn, "external_gte", doc);
                kinds.add("fanout");
                fanout++;
            }
        }
        if (kinds.isEmpty()) {
            return new Written(new Outcome(applied, repeats, events, 0, changedCategories.size(),
                    !changedCategories.isEmpty()), targets);
        }
        long started = System.nanoTime();
        int conflicts = bulk(body.bytes(), kinds).size();
        metrics.bulk(kinds.size(), System.nanoTime() - started);
        if (conflicts > 0) {
            LOG.debugf("%d concept writes met a newer version (another replica or a rebuild's snapshot)", conflicts);
        }
        if (recheck && config.consumer().categoryRecheck()) {
            Map<String, ConceptDoc> written = new LinkedHashMap<>();
            changedDocs.forEach(id -> written.put(id, docs.get(id)));
            fannedWorking.forEach(id -> written.put(id, docs.get(id)));
            Map<String, ConceptDoc> fannedLive = fannedStored.get(targets.live());
            if (fannedLive != null) {
                written.putAll(fannedLive);
            }
            fanout += recheckCategories(written, targets);
        }
        if (config.embeddings().enabled()) {
            // a vector stored in the side index after the look-up above, while this bulk was under way, was not
            // seen by its consumer either if that read the document before this write: look again (README)
            syncEmbeddings(EmbeddingIndex.lacking(toWrite), targets);
        }
        return new Written(new Outcome(applied, repeats, events, fanout, kinds.size() + changedCategories.size(), true),
                targets);
    }

    /** The resolved targets; what resolving them threw, as thrown (the caller retries the batch). */
    private static Targets await(CompletableFuture<Targets> resolving) {
        try {
            return resolving.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Writes the applied positions (progress documents) into every concept index. Call only after the bulk of the
     * groups they cover was acknowledged without a failed item: then no refresh can show a position before the
     * documents it covers. A 409 means another writer already stored a position at least as high: fine.
     */
    public void writeProgress(Collection<ProgressDocs.Position> positions, Targets targets, String writer) {
        if (positions.isEmpty()) {
            return;
        }
        BulkBody body = new BulkBody(mapper, 4096);
        List<String> kinds = new ArrayList<>();
        for (String index : targets.all()) {
            for (ProgressDocs.Position position : positions) {
                body.index(index, ProgressDocs.id(position.topic(), position.partition()), position.lsn(),
                        "external_gte", ProgressDocs.source(mapper, position, writer));
                kinds.add("progress");
            }
        }
        long started = System.nanoTime();
        bulk(body.bytes(), kinds);
        metrics.progressWritten(System.nanoTime() - started);
    }

    /**
     * Several replicas: a concept written here and a category fanned out by another replica can interleave (this
     * replica read the document before the other's fan-out wrote it, and wrote it back after, with the older
     * category attributes; or the other's fan-out search ran before this write). Rule: whoever wrote a document
     * last checks, after its write was acknowledged, the document's categories against the side index (versions
     * only), and re-applies newer ones (read-modify-write at the current version, 409 = somebody wrote after
     * us and checks in turn). A category write is acknowledged before its fan-out searches, so every category
     * change is either seen by this check or finds this write in its fan-out search. Returns the documents fixed.
     */
    public int recheck(Collection<String> conceptIds, Targets targets) {
        return recheckCategories(loadConcepts(targets.live(), conceptIds), targets);
    }

    int recheckCategories(Map<String, ConceptDoc> written, Targets targets) {
        int fixed = 0;
        Map<String, ConceptDoc> check = written;
        for (int round = 0; round < 5 && !check.isEmpty(); round++) {
            Set<String> categoryIds = new LinkedHashSet<>();
            for (ConceptDoc doc : check.values()) {
                if (doc != null && !doc.deleted && doc.categories != null) {
                    doc.categories.forEach(e -> categoryIds.add(e.id));
                }
            }
            if (categoryIds.isEmpty()) {
                break;
            }
            Map<String, Long> current = categoryVersions(categoryIds);
            Set<String> stale = new LinkedHashSet<>();
            for (ConceptDoc doc : check.values()) {
                if (doc == null || doc.deleted || doc.categories == null) {
                    continue;
                }
                for (ConceptDoc.CategoryEntry entry : doc.categories) {
                    Long version = current.get(entry.id);
                    if (version != null && version > entry.lsn) {
                        stale.add(doc.id);
                        break;
                    }
                }
            }
            if (stale.isEmpty()) {
                break;
            }
            Map<String, ConceptDoc> docs = loadConcepts(targets.live(), stale);
            Set<String> needed = new LinkedHashSet<>();
            docs.values().forEach(d -> {
                if (d.categories != null) {
                    d.categories.forEach(e -> needed.add(e.id));
                }
            });
            Map<String, CategoryDoc> categories = loadCategories(needed);
            Map<String, ConceptDoc> rewritten = new LinkedHashMap<>();
            for (ConceptDoc doc : docs.values()) {
                boolean changed = false;
                if (doc.categories != null) {
                    for (ConceptDoc.CategoryEntry entry : List.copyOf(doc.categories)) {
                        CategoryDoc category = categories.get(entry.id);
                        if (category != null && DocumentChanges.applyCategory(doc, category)) {
                            changed = true;
                        }
                    }
                }
                if (changed) {
                    rewritten.put(doc.id, doc);
                }
            }
            if (rewritten.isEmpty()) {
                break;
            }
            BulkBody body = new BulkBody(mapper, 4096);
            List<String> kinds = new ArrayList<>();
            for (ConceptDoc doc : rewritten.values()) {
                for (String index : targets.all()) {
                    body.index(index, doc.id, doc.appliedLsn, "external_gte", doc);
                    kinds.add("recheck");
                }
            }
            bulk(body.bytes(), kinds);
            metrics.rechecked(rewritten.size());
            LOG.debugf("re-applied newer category attributes to %d documents (concurrent fan-out)", rewritten.size());
            fixed += rewritten.size();
            check = rewritten;
        }
        return fixed;
    }

    /**
     * Puts the side index's vectors into the documents of these concepts whose current text they belong to, in every
     * target index: read-modify-write at each document's own version ({@code external_gte}, the version does not
     * move); a 409 means somebody wrote the document meanwhile, and it is read and tried again. Used by the vector
     * consumer after it stored vectors, and by the projector after its bulk. Returns the documents written.
     */
    public int syncEmbeddings(Collection<String> conceptIds, Targets targets) {
        if (conceptIds.isEmpty()) {
            return 0;
        }
        Map<String, EmbeddingIndex.Stored> stored = embeddings.load(conceptIds);
        if (stored.isEmpty()) {
            return 0;
        }
        int written = 0;
        for (String index : targets.all()) {
            Set<String> todo = new LinkedHashSet<>(stored.keySet());
            for (int round = 0; round < 5 && !todo.isEmpty(); round++) {
                BulkBody body = new BulkBody(mapper, 4096);
                List<String> kinds = new ArrayList<>();
                for (ConceptDoc doc : loadConcepts(index, todo).values()) {
                    if (EmbeddingIndex.apply(doc, stored.get(doc.id))) {
                        body.index(index, doc.id, doc.appliedLsn, "external_gte", doc);
                        kinds.add("embedding");
                    }
                }
                if (kinds.isEmpty()) {
                    break;
                }
                List<String> conflicted = bulk(body.bytes(), kinds);
                written += kinds.size() - conflicted.size();
                todo = new LinkedHashSet<>(conflicted);
            }
        }
        return written;
    }

    /** Current external version (= applied commit LSN) of each category in the side index; deleted ones left out. */
    private Map<String, Long> categoryVersions(Collection<String> ids) {
        Map<String, Long> result = new HashMap<>();
        ObjectNode body = mapper.createObjectNode();
        ArrayNode array = body.putArray("ids");
        ids.forEach(array::add);
        OpenSearch.Reply reply = os.call("POST", "/" + config.index().categories()
                + "/_mget?realtime=true&_source_includes=deleted", body).orThrow("mget versions");
        for (JsonNode doc : reply.body().path("docs")) {
            if (doc.path("found").asBoolean(false) && !doc.path("_source").path("deleted").asBoolean(false)) {
                result.put(doc.path("_id").asText(), doc.path("_version").asLong());
            }
        }
        return result;
    }

    /**
     * For a rebuild: sets the attributes of {@code categories} on every document of {@code index} that holds
     * older ones (keeping each document's version). Returns the documents rewritten.
     */
    public int fanOutInto(String index, Collection<CategoryDoc> categories) {
        if (categories.isEmpty()) {
            return 0;
        }
        Map<String, ConceptDoc> rewritten = fanOut(index, categories, Map.of());
        if (rewritten.isEmpty()) {
            return 0;
        }
        BulkBody body = new BulkBody(mapper, 4096);
        List<String> kinds = new ArrayList<>();
        for (ConceptDoc doc : rewritten.values()) {
            body.index(index, doc.id, doc.appliedLsn, "external_gte", doc);
            kinds.add("fanout");
        }
        bulk(body.bytes(), kinds);
        metrics.fanout(rewritten.size());
        return rewritten.size();
    }

    /** Rewrites, in one index, the documents containing any of the categories whose attributes are older. */
    Map<String, ConceptDoc> fanOut(String index, Collection<CategoryDoc> changed, Map<String, ConceptDoc> skip) {
        os.call("POST", "/" + index + "/_refresh", null).orThrow("refreshing " + index);
        Map<String, ConceptDoc> rewritten = new LinkedHashMap<>();
        for (CategoryDoc category : changed) {
            JsonNode after = null;
            while (true) {
                ObjectNode query = mapper.createObjectNode();
                query.put("size", FANOUT_PAGE).put("version", true);
                query.putObject("query").putObject("term").put("categories.id", category.id);
                query.putArray("sort").addObject().put("id", "asc");
                if (after != null) {
                    query.set("search_after", after);
                }
                JsonNode hits = os.call("POST", "/" + index + "/_search", query).orThrow("fan-out search").body()
                        .path("hits").path("hits");
                for (JsonNode hit : hits) {
                    String id = hit.path("_id").asText();
                    if (skip.containsKey(id)) {
                        continue;
                    }
                    ConceptDoc doc = rewritten.get(id);
                    if (doc == null) {
                        doc = mapper.convertValue(hit.path("_source"), ConceptDoc.class);
                        doc.appliedLsn = hit.path("_version").asLong();
                    }
                    if (DocumentChanges.applyCategory(doc, category)) {
                        rewritten.put(id, doc);
                    }
                }
                if (hits.size() < FANOUT_PAGE) {
                    break;
                }
                after = hits.get(hits.size() - 1).path("sort");
            }
        }
        return rewritten;
    }

    Map<String, CategoryDoc> loadCategories(Collection<String> ids) {
        return categories(mget(Map.of(config.index().categories(), ids)).get(config.index().categories()));
    }

    private Map<String, CategoryDoc> categories(List<JsonNode> docs) {
        Map<String, CategoryDoc> result = new HashMap<>();
        for (JsonNode found : docs) {
            CategoryDoc doc = mapper.convertValue(found.path("_source"), CategoryDoc.class);
            doc.lsn = found.path("_version").asLong();
            result.put(found.path("_id").asText(), doc);
        }
        return result;
    }

    Map<String, ConceptDoc> loadConcepts(String index, Collection<String> ids) {
        return concepts(mget(Map.of(index, ids)).get(index));
    }

    private Map<String, ConceptDoc> concepts(List<JsonNode> docs) {
        Map<String, ConceptDoc> result = new HashMap<>();
        for (JsonNode found : docs) {
            ConceptDoc doc = mapper.convertValue(found.path("_source"), ConceptDoc.class);
            doc.appliedLsn = found.path("_version").asLong();
            if (doc.categories == null && !doc.deleted) {
                doc.categories = new ArrayList<>();
            }
            if (doc.relations == null && !doc.deleted) {
                doc.relations = new ArrayList<>();
            }
            result.put(found.path("_id").asText(), doc);
        }
        return result;
    }

    /** One realtime {@code _mget} over several indexes: the documents found, by the index asked. */
    private Map<String, List<JsonNode>> mget(Map<String, ? extends Collection<String>> idsByIndex) {
        Map<String, List<JsonNode>> found = new HashMap<>();
        List<String> asked = new ArrayList<>();
        ObjectNode body = mapper.createObjectNode();
        ArrayNode docs = body.putArray("docs");
        idsByIndex.forEach((index, ids) -> {
            found.put(index, new ArrayList<>());
            for (String id : ids) {
                docs.addObject().put("_index", index).put("_id", id);
                asked.add(index);
            }
        });
        if (asked.isEmpty()) {
            return found;
        }
        OpenSearch.Reply reply = os.call("POST", "/_mget?realtime=true", body).orThrow("mget " + idsByIndex.keySet());
        // the answers come in the order asked; by that order, not by their _index (a concrete name, where an
        // alias may have been asked)
        int i = 0;
        for (JsonNode doc : reply.body().path("docs")) {
            String index = asked.get(i++);
            if (doc.path("found").asBoolean(false)) {
                found.get(index).add(doc);
            } else if (doc.has("error")) {
                throw new OpenSearchException("mget " + index + ": " + doc.path("error"), 500);
            }
        }
        return found;
    }

    /**
     * Sends the bulk; a version conflict is a repeat (ok), anything else fails the batch. Returns the ids of the
     * conflicts.
     */
    private List<String> bulk(byte[] body, List<String> kinds) {
        OpenSearch.Reply reply = os.ndjson("/_bulk", body).orThrow("bulk");
        List<String> conflicts = new ArrayList<>();
        if (!reply.body().path("errors").asBoolean(false)) {
            return conflicts;
        }
        int i = 0;
        for (JsonNode item : reply.body().path("items")) {
            JsonNode result = item.path("index");
            int status = result.path("status").asInt();
            if (status == 409) {
                conflicts.add(result.path("_id").asText());
            } else if (status >= 300) {
                throw new OpenSearchException("bulk item " + kinds.get(i) + " " + result.path("_index").asText() + "/"
                        + result.path("_id").asText() + " failed: " + result.path("error"), status);
            }
            i++;
        }
        return conflicts;
    }
}
