package io.dialectica.search.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.search.config.SearchConfig;
import io.dialectica.search.projection.BatchWriter;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The concept indexes (versioned names behind one alias) and the categories side index: names, mappings,
 * creation and the atomic alias swap.
 */
@ApplicationScoped
public class Indexes {

    private static final Logger LOG = Logger.getLogger(Indexes.class);

    /** Bumped when the concept mapping changes incompatibly: a new version needs {@code ./dialectica reindex search}. */
    public static final int MAPPING_VERSION = 1;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS");

    private final OpenSearch os;
    private final SearchConfig.Index config;
    private final ObjectMapper mapper;

    public Indexes(OpenSearch os, SearchConfig config, ObjectMapper mapper) {
        this.os = os;
        this.config = config.index();
        this.mapper = mapper;
    }

    public String alias() {
        return config.alias();
    }

    public String categories() {
        return config.categories();
    }

    public String embeddings() {
        return config.embeddings();
    }

    /**
     * The alias naming every index the projectors write into: the live one and, during a rebuild, the new one.
     * Every replica resolves it after each poll, so a rebuild started on one replica reaches them all.
     */
    public String writeAlias() {
        return config.writeAlias().orElse(config.alias() + "-write");
    }

    /** Where a projector writes now: the live index (read alias) and every index of the write alias. */
    public BatchWriter.Targets resolveTargets() {
        return targets(os.call("GET", aliasesEndpoint(), null));
    }

    /**
     * {@link #resolveTargets} without blocking: the projector reads the documents of a poll meanwhile (one round
     * trip instead of two in a row) and checks the live index it read from against the answer.
     */
    public CompletableFuture<BatchWriter.Targets> resolveTargetsAsync() {
        return os.send("GET", aliasesEndpoint(), null).map(this::targets).subscribeAsCompletionStage();
    }

    private String aliasesEndpoint() {
        return "/_alias/" + config.alias() + "," + writeAlias();
    }

    private BatchWriter.Targets targets(OpenSearch.Reply reply) {
        if (!reply.ok() && reply.status() != 404) {
            reply.orThrow("reading aliases " + config.alias() + ", " + writeAlias());
        }
        String live = null;
        List<String> all = new ArrayList<>();
        var fields = reply.body().fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            JsonNode aliases = entry.getValue().path("aliases");
            if (!aliases.isObject()) {
                continue;
            }
            if (aliases.has(config.alias())) {
                if (live != null) {
                    throw new IllegalStateException("alias " + config.alias() + " points at several indexes");
                }
                live = entry.getKey();
            }
            if (aliases.has(writeAlias())) {
                all.add(entry.getKey());
            }
        }
        if (live == null) {
            throw new OpenSearchException("alias " + config.alias() + " points at no index", 404);
        }
        all.remove(live);
        all.add(0, live);
        return new BatchWriter.Targets(live, List.copyOf(all));
    }

    /** A rebuild: every projector writes into {@code index} too from its next poll on. */
    public void addWriteTarget(String index) {
        ObjectNode body = mapper.createObjectNode();
        body.putArray("actions").addObject().putObject("add").put("index", index).put("alias", writeAlias());
        os.call("POST", "/_aliases", body).orThrow("adding " + index + " to " + writeAlias());
    }

    /** A failed rebuild: nobody writes into {@code index} any more. */
    public void removeWriteTarget(String index) {
        ObjectNode body = mapper.createObjectNode();
        body.putArray("actions").addObject().putObject("remove").put("index", index).put("alias", writeAlias())
                .put("must_exist", false);
        os.call("POST", "/_aliases", body).orThrow("removing " + index + " from " + writeAlias());
    }

    /**
     * Makes sure the categories index and the alias exist; returns the concept index the alias points at
     * (creating the first one when there is none).
     */
    public String ensure() {
        if (!exists(config.categories())) {
            create(config.categories(), categoriesMapping());
        }
        if (!exists(config.embeddings())) {
            create(config.embeddings(), embeddingsMapping());
        }
        List<String> current = aliasTargets();
        if (current.size() == 1) {
            String index = current.get(0);
            if (!index.startsWith(config.prefix() + "-v" + MAPPING_VERSION + "-")) {
                LOG.warnf("alias %s points at %s, not a mapping version %d index: run ./dialectica reindex search",
                        config.alias(), index, MAPPING_VERSION);
            }
            ensureProgressFields(index);
            ensureEmbeddingFields(index);
            ensureWriteAlias(index);
            ensureFlushThreshold(index + "," + config.categories() + "," + config.embeddings());
            return index;
        }
        if (current.size() > 1) {
            throw new IllegalStateException("alias " + config.alias() + " points at several indexes: " + current);
        }
        // the first index has a fixed name: replicas starting together create the same one (the second PUT finds
        // it), never two indexes behind the alias; zeros sort it before every rebuild's timestamped name
        String index = config.prefix() + "-v" + MAPPING_VERSION + "-00000000000000000";
        create(index, conceptMapping());
        os.call("POST", "/_aliases", aliasActions(null, index)).orThrow("creating alias " + config.alias());
        ensureWriteAlias(index);
        LOG.infof("created concept index %s behind alias %s", index, config.alias());
        return index;
    }

    /** A new, empty concept index with the current mapping. */
    public String createConceptIndex() {
        String name = config.prefix() + "-v" + MAPPING_VERSION + "-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
        create(name, conceptMapping());
        return name;
    }

    /** The indexes the alias points at. */
    public List<String> aliasTargets() {
        OpenSearch.Reply reply = os.call("GET", "/_alias/" + config.alias(), null);
        List<String> names = new ArrayList<>();
        if (reply.status() == 404) {
            return names;
        }
        reply.orThrow("reading alias " + config.alias());
        reply.body().fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Points both aliases from {@code from} to {@code to} in one atomic action. */
    public void swap(String from, String to) {
        os.call("POST", "/_aliases", aliasActions(from, to)).orThrow("swapping alias " + config.alias());
    }

    /** An index created before the write alias existed (or a fresh one) gets it. */
    private void ensureWriteAlias(String live) {
        OpenSearch.Reply reply = os.call("GET", "/_alias/" + writeAlias(), null);
        if (reply.ok()) {
            return;
        }
        ObjectNode body = mapper.createObjectNode();
        body.putArray("actions").addObject().putObject("add").put("index", live).put("alias", writeAlias());
        os.call("POST", "/_aliases", body).orThrow("creating alias " + writeAlias());
    }

    /** Deletes concept indexes of this prefix other than {@code live}, keeping the newest {@code keep}. */
    public List<String> deleteOld(String live, int keep) {
        OpenSearch.Reply reply = os.call("GET", "/_cat/indices/" + config.prefix() + "-v*?format=json&h=index", null);
        List<String> old = new ArrayList<>();
        if (!reply.ok()) {
            return old;
        }
        for (JsonNode row : reply.body()) {
            String name = row.path("index").asText();
            if (!name.equals(live) && name.startsWith(config.prefix() + "-v")) {
                old.add(name);
            }
        }
        old.sort(null);
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < old.size() - keep; i++) {
            if (os.call("DELETE", "/" + old.get(i), null).ok()) {
                deleted.add(old.get(i));
            }
        }
        return deleted;
    }

    public boolean exists(String index) {
        return os.call("HEAD", "/" + index, null).ok();
    }

    private void create(String index, JsonNode body) {
        OpenSearch.Reply reply = os.call("PUT", "/" + index, body);
        if (reply.status() == 400 && reply.body().path("error").path("type").asText().equals("resource_already_exists_exception")) {
            return;
        }
        reply.orThrow("creating index " + index);
    }

    private ObjectNode aliasActions(String from, String to) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode actions = body.putArray("actions");
        if (from != null) {
            actions.addObject().putObject("remove").put("index", from).put("alias", config.alias());
            actions.addObject().putObject("remove").put("index", from).put("alias", writeAlias())
                    .put("must_exist", false);
        }
        actions.addObject().putObject("add").put("index", to).put("alias", config.alias());
        actions.addObject().putObject("add").put("index", to).put("alias", writeAlias());
        return body;
    }

    private JsonNode settings(int shards) {
        return json("""
                {"number_of_shards": %d, "number_of_replicas": %d, "refresh_interval": "%s",
                 "translog": {"flush_threshold_size": "%s"},
                 "analysis": {"normalizer": {"lowercase": {"type": "custom", "filter": ["lowercase"]}}}}
                """.formatted(shards, config.replicas(), config.refreshInterval(), config.flushThreshold()));
    }

    /**
     * Indexes created before the setting existed get it in place (a dynamic setting): without it they keep every
     * superseded version of their documents ({@code SearchConfig.Index#flushThreshold}).
     */
    private void ensureFlushThreshold(String indexes) {
        ObjectNode body = mapper.createObjectNode();
        body.put("index.translog.flush_threshold_size", config.flushThreshold());
        os.call("PUT", "/" + indexes + "/_settings", body).orThrow("setting the flush threshold of " + indexes);
    }

    /**
     * The fields of the progress documents ({@code io.dialectica.search.progress.ProgressDocs}): added to an
     * existing concept index in place (new fields only, no reindex needed).
     */
    static final String PROGRESS_FIELDS = """
            "kind": {"type": "keyword"},
            "topic": {"type": "keyword"},
            "partition": {"type": "integer"},
            "partitions": {"type": "integer"},
            "position": {"type": "long"}""";

    /** Adds the progress documents' fields to a concept index created before they existed. */
    public void ensureProgressFields(String index) {
        os.call("PUT", "/" + index + "/_mapping", json("{\"properties\": {" + PROGRESS_FIELDS + "}}"))
                .orThrow("adding the progress fields to " + index);
    }

    /**
     * The concept's vector ({@code io.dialectica.search.embedding.Vectors}): a {@code binary} field with doc values,
     * which the semantic query's script reads (column-wise, not from {@code _source}: ~20x faster, docs/benchmarks.md),
     * and the text key it belongs to. New fields only: added to an existing index in place.
     */
    static final String EMBEDDING_FIELDS = """
            "embedding": {"type": "binary", "doc_values": true},
            "embeddingKey": {"type": "keyword"}""";

    /** Adds the vector fields to a concept index created before they existed. */
    public void ensureEmbeddingFields(String index) {
        os.call("PUT", "/" + index + "/_mapping", json("{\"properties\": {" + EMBEDDING_FIELDS + "}}"))
                .orThrow("adding the embedding fields to " + index);
    }

    /**
     * One document per concept. Text fields use the english analyzer; {@code .keyword} sub-fields keep the exact
     * value for facets, {@code .lower} (lower-cased keyword) serves the case-insensitive filters;
     * {@code nameSuggest} (search_as_you_type) serves autocomplete. Categories and relations are plain object
     * arrays (not nested: no query needs to correlate two fields of one element), each category carrying the
     * LSN its attributes come from. {@code dynamic: false}: unknown fields are kept in _source, never mapped.
     */
    JsonNode conceptMapping() {
        ObjectNode body = mapper.createObjectNode();
        // one shard: a token read finds the progress documents and the documents they cover in one searcher
        body.set("settings", settings(1));
        body.set("mappings", json("""
                {"dynamic": false,
                 "properties": {
                   "id": {"type": "keyword"},
                   "name": {"type": "text", "analyzer": "english",
                            "fields": {"keyword": {"type": "keyword", "ignore_above": 512},
                                       "lower": {"type": "keyword", "normalizer": "lowercase", "ignore_above": 512}}},
                   "nameSuggest": {"type": "search_as_you_type"},
                   "description": {"type": "text", "analyzer": "english"},
                   "tradition": {"type": "text", "analyzer": "english",
                                 "fields": {"keyword": {"type": "keyword", "ignore_above": 256},
                                            "lower": {"type": "keyword", "normalizer": "lowercase", "ignore_above": 256}}},
                   "owner": {"type": "keyword"},
                   "visibility": {"type": "keyword"},
                   "qualityScore": {"type": "float"},
                   "conceptVersion": {"type": "long"},
                   "createdAt": {"type": "date"},
                   "updatedAt": {"type": "date"},
                   "deleted": {"type": "boolean"},
                   "appliedLsn": {"type": "long"},
                   "categories": {"properties": {
                     "id": {"type": "keyword"},
                     "membershipId": {"type": "keyword"},
                     "name": {"type": "text", "analyzer": "english",
                              "fields": {"keyword": {"type": "keyword", "ignore_above": 256},
                                         "lower": {"type": "keyword", "normalizer": "lowercase", "ignore_above": 256}}},
                     "description": {"type": "text", "analyzer": "english"},
                     "weight": {"type": "float"},
                     "lsn": {"type": "long"}}},
                   "relations": {"properties": {
                     "id": {"type": "keyword"},
                     "from": {"type": "keyword"},
                     "to": {"type": "keyword"},
                     "type": {"type": "keyword"},
                     "weight": {"type": "float"},
                     "rationale": {"type": "text", "analyzer": "english"}}},
                """ + PROGRESS_FIELDS + ",\n" + EMBEDDING_FIELDS + """

                 }}
                """));
        return body;
    }

    /**
     * One document per concept id: its latest vector as graph-service published it (id = concept id). The concept
     * documents take it from here when their text reaches its key (the vector may arrive before the text does);
     * nothing searches this index.
     */
    JsonNode embeddingsMapping() {
        ObjectNode body = mapper.createObjectNode();
        body.set("settings", settings(config.shards()));
        body.set("mappings", json("""
                {"dynamic": false,
                 "properties": {
                   "conceptId": {"type": "keyword"},
                   "key": {"type": "keyword"},
                   "model": {"type": "keyword"},
                   "vector": {"type": "binary"},
                   "embeddedAt": {"type": "date"}}}
                """));
        return body;
    }

    JsonNode categoriesMapping() {
        ObjectNode body = mapper.createObjectNode();
        body.set("settings", settings(config.shards()));
        body.set("mappings", json("""
                {"dynamic": false,
                 "properties": {
                   "id": {"type": "keyword"},
                   "name": {"type": "keyword"},
                   "canonicalName": {"type": "keyword"},
                   "description": {"type": "text"},
                   "deleted": {"type": "boolean"},
                   "lsn": {"type": "long"}}}
                """));
        return body;
    }

    private JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> names(Iterator<String> it) {
        List<String> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
