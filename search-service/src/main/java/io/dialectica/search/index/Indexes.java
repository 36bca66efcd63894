package io.dialectica.search.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.search.config.SearchConfig;
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

    /**
     * Makes sure the categories index and the alias exist; returns the concept index the alias points at
     * (creating the first one when there is none).
     */
    public String ensure() {
        if (!exists(config.categories())) {
            create(config.categories(), categoriesMapping());
        }
        List<String> current = aliasTargets();
        if (current.size() == 1) {
            String index = current.get(0);
            if (!index.startsWith(config.prefix() + "-v" + MAPPING_VERSION + "-")) {
                LOG.warnf("alias %s points at %s, not a mapping version %d index: run ./dialectica reindex search",
                        config.alias(), index, MAPPING_VERSION);
            }
            return index;
        }
        if (current.size() > 1) {
            throw new IllegalStateException("alias " + config.alias() + " points at several indexes: " + current);
        }
        String index = createConceptIndex();
        os.call("POST", "/_aliases", aliasActions(null, index)).orThrow("creating alias " + config.alias());
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

    /** Points the alias from {@code from} to {@code to} in one atomic action. */
    public void swap(String from, String to) {
        os.call("POST", "/_aliases", aliasActions(from, to)).orThrow("swapping alias " + config.alias());
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
        }
        actions.addObject().putObject("add").put("index", to).put("alias", config.alias());
        return body;
    }

    private JsonNode settings() {
        return json("""
                {"number_of_shards": %d, "number_of_replicas": %d, "refresh_interval": "%s",
                 "analysis": {"normalizer": {"lowercase": {"type": "custom", "filter": ["lowercase"]}}}}
                """.formatted(config.shards(), config.replicas(), config.refreshInterval()));
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
        body.set("settings", settings());
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
                     "rationale": {"type": "text", "analyzer": "english"}}}
                 }}
                """));
        return body;
    }

    JsonNode categoriesMapping() {
        ObjectNode body = mapper.createObjectNode();
        body.set("settings", settings());
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
