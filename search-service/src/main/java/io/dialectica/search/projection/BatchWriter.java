package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.index.CategoryDoc;
import io.dialectica.search.index.ConceptDoc;
import io.dialectica.search.index.OpenSearch;
import io.dialectica.search.index.OpenSearchException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies the complete change groups of one poll to OpenSearch in one {@code _bulk}: reads the current documents
 * (realtime mget), applies the groups in partition order, fans category changes out, and writes every changed
 * document once with its last group's commit LSN as external version. All or nothing from the caller's view: any
 * failure throws, and the caller retries the whole batch (every write is idempotent by version).
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

    public BatchWriter(OpenSearch os, ObjectMapper mapper, SearchConfig config, ProjectionMetrics metrics) {
        this.os = os;
        this.mapper = mapper;
        this.config = config;
        this.metrics = metrics;
    }

    public Outcome write(List<ChangeGroup> groups, Targets targets) {
        if (groups.isEmpty()) {
            return new Outcome(0, 0, 0, 0, 0, false);
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
        Map<String, CategoryDoc> categories = loadCategories(categoryIds);
        Map<String, CategoryDoc> changedCategories = new LinkedHashMap<>();
        for (ChangeGroup group : categoryGroups) {
            CategoryDoc next = DocumentChanges.applyCategoryGroup(categories.get(group.key()), group);
            if (next == null) {
                repeats++;
                continue;
            }
            categories.put(group.key(), next);
            changedCategories.put(group.key(), next);
            applied++;
            events += group.changes().size();
        }

        // 2. concepts: read-modify-write on the live index's documents
        Set<String> conceptIds = new LinkedHashSet<>();
        conceptGroups.forEach(g -> conceptIds.add(g.key()));
        Map<String, ConceptDoc> docs = loadConcepts(targets.live(), conceptIds);
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
        if (!changedCategories.isEmpty()) {
            for (CategoryDoc category : changedCategories.values()) {
                for (ConceptDoc doc : docs.values()) {
                    if (DocumentChanges.applyCategory(doc, category) && !changedDocs.contains(doc.id)) {
                        fannedWorking.add(doc.id);
                    }
                }
            }
            for (String index : targets.all()) {
                Map<String, ConceptDoc> skip = index.equals(targets.live()) ? docs : Map.of();
                fannedStored.put(index, fanOut(index, changedCategories.values(), skip));
            }
        }

        // 4. one bulk
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        List<String> kinds = new ArrayList<>();
        for (String id : changedDocs) {
            ConceptDoc doc = docs.get(id);
            for (String index : targets.all()) {
                action(body, index, id, doc.appliedLsn, "external", doc);
                kinds.add("concept");
            }
        }
        int fanout = 0;
        for (String id : fannedWorking) {
            ConceptDoc doc = docs.get(id);
            for (String index : targets.all()) {
                action(body, index, id, doc.appliedLsn, "external_gte", doc);
                kinds.add("fanout");
                fanout++;
            }
        }
        for (Map.Entry<String, Map<String, ConceptDoc>> byIndex : fannedStored.entrySet()) {
            for (ConceptDoc doc : byIndex.getValue().values()) {
                action(body, byIndex.getKey(), doc.id, doc.appliedLsn, "external_gte", doc);
                kinds.add("fanout");
                fanout++;
            }
        }
        for (CategoryDoc category : changedCategories.values()) {
            action(body, config.index().categories(), category.id, category.lsn, "external", category);
            kinds.add("category");
        }
        if (kinds.isEmpty()) {
            return new Outcome(applied, repeats, events, 0, 0, false);
        }
        int conflicts = bulk(body.toByteArray(), kinds);
        metrics.bulk(kinds.size());
        if (conflicts > 0) {
            LOG.debugf("%d concept writes met a newer version (a concurrent rebuild's snapshot)", conflicts);
        }
        return new Outcome(applied, repeats, events, fanout, kinds.size(), true);
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
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> kinds = new ArrayList<>();
        for (ConceptDoc doc : rewritten.values()) {
            action(body, index, doc.id, doc.appliedLsn, "external_gte", doc);
            kinds.add("fanout");
        }
        bulk(body.toByteArray(), kinds);
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
        Map<String, CategoryDoc> result = new HashMap<>();
        for (JsonNode found : mget(config.index().categories(), ids)) {
            CategoryDoc doc = mapper.convertValue(found.path("_source"), CategoryDoc.class);
            doc.lsn = found.path("_version").asLong();
            result.put(found.path("_id").asText(), doc);
        }
        return result;
    }

    Map<String, ConceptDoc> loadConcepts(String index, Collection<String> ids) {
        Map<String, ConceptDoc> result = new HashMap<>();
        for (JsonNode found : mget(index, ids)) {
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

    private List<JsonNode> mget(String index, Collection<String> ids) {
        List<JsonNode> found = new ArrayList<>();
        if (ids.isEmpty()) {
            return found;
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode array = body.putArray("ids");
        ids.forEach(array::add);
        OpenSearch.Reply reply = os.call("POST", "/" + index + "/_mget?realtime=true", body).orThrow("mget " + index);
        for (JsonNode doc : reply.body().path("docs")) {
            if (doc.path("found").asBoolean(false)) {
                found.add(doc);
            } else if (doc.has("error")) {
                throw new OpenSearchException("mget " + index + ": " + doc.path("error"), 500);
            }
        }
        return found;
    }

    private void action(ByteArrayOutputStream out, String index, String id, long version, String versionType,
            Object source) {
        try {
            ObjectNode meta = mapper.createObjectNode();
            meta.putObject("index").put("_index", index).put("_id", id).put("version", version)
                    .put("version_type", versionType);
            out.write(mapper.writeValueAsBytes(meta));
            out.write('\n');
            out.write(mapper.writeValueAsBytes(source));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the bulk; a version conflict is a repeat (ok), anything else fails the batch. Returns the conflicts. */
    private int bulk(byte[] body, List<String> kinds) {
        OpenSearch.Reply reply = os.ndjson("/_bulk", body).orThrow("bulk");
        if (!reply.body().path("errors").asBoolean(false)) {
            return 0;
        }
        int conflicts = 0;
        int i = 0;
        for (JsonNode item : reply.body().path("items")) {
            JsonNode result = item.path("index");
            int status = result.path("status").asInt();
            if (status == 409) {
                conflicts++;
            } else if (status >= 300) {
                throw new OpenSearchException("bulk item " + kinds.get(i) + " " + result.path("_index").asText() + "/"
                        + result.path("_id").asText() + " failed: " + result.path("error"), status);
            }
            i++;
        }
        return conflicts;
    }
}
