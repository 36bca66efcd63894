package io.dialectica.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.search.index.Indexes;
import io.dialectica.search.projection.BatchWriter;
import io.dialectica.search.projection.TombstonePurger;
import io.dialectica.search.projection.ProjectionMetrics;
import io.dialectica.search.progress.ProgressDocs;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.dialectica.search.ChangeStream.CATEGORIES;
import static io.dialectica.search.ChangeStream.CONCEPTS;
import static io.dialectica.search.ChangeStream.MEMBERSHIPS;
import static io.dialectica.search.ChangeStream.RELATIONS;
import static io.dialectica.search.ChangeStream.category;
import static io.dialectica.search.ChangeStream.concept;
import static io.dialectica.search.ChangeStream.delete;
import static io.dialectica.search.ChangeStream.id;
import static io.dialectica.search.ChangeStream.insert;
import static io.dialectica.search.ChangeStream.membership;
import static io.dialectica.search.ChangeStream.relation;
import static io.dialectica.search.ChangeStream.update;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The projection: what each kind of change group does to the documents, and what repeats do not do. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(SearchTestStack.class)
class ProjectionTest {

    static ChangeStream stream;

    @Inject
    ProjectionMetrics metrics;

    @Inject
    BatchWriter writer;

    @Inject
    Indexes indexes;

    @Inject
    TombstonePurger purger;

    @BeforeAll
    static void open() {
        stream = new ChangeStream();
    }

    @AfterAll
    static void close() {
        stream.close();
    }

    private static List<String> names(JsonNode categories) {
        List<String> names = new ArrayList<>();
        categories.forEach(c -> names.add(c.path("name").asText()));
        names.sort(null);
        return names;
    }

    @Test
    void createThenUpdateMembershipsRelationsAndFields() {
        String tradition = "Trad-" + UUID.randomUUID();
        Fixtures.Created c = Fixtures.createConcept(stream, "alice", "Logic of Being", "Pure being is pure nothing.",
                tradition, "PUBLIC", "Being", "Nothing", "Pure being, taken purely, is nothing");
        Fixtures.awaitSearchable(c.lsn());
        JsonNode doc = OpenSearchDocs.concept(c.conceptId());
        assertEquals(c.lsn(), doc.path("_version").asLong(), "the commit LSN is the external version");
        JsonNode source = doc.path("_source");
        assertEquals("Logic of Being", source.path("name").asText());
        assertEquals("alice", source.path("owner").asText());
        assertEquals(List.of("Being", "Nothing"), names(source.path("categories")));
        assertEquals("NEGATES", source.path("relations").get(0).path("type").asText());

        // a category that already exists (created by another concept's transaction earlier): not in the group
        String dasein = id();
        long created = stream.tx().category(dasein, insert(CATEGORIES, category(dasein, "Dasein", "Being-there"))).send();
        Fixtures.awaitSearchable(created);
        String membership = id();
        long changed = stream.tx()
                .concept(c.conceptId(), update(CONCEPTS, null, concept(c.conceptId(), "alice", "Logic of Being",
                        "Being and nothing pass over into becoming.", tradition, "PUBLIC", 2)))
                .concept(c.conceptId(), insert(MEMBERSHIPS, membership(membership, c.conceptId(), dasein, 0.4)))
                .concept(c.conceptId(), delete(RELATIONS, relation(c.relationId(), c.conceptId(), c.firstCategory(),
                        c.secondCategory(), "NEGATES", "Pure being, taken purely, is nothing")))
                .concept(c.conceptId(), delete(MEMBERSHIPS, membership(id(), c.conceptId(), c.secondCategory(), 0.8)))
                .concept(c.conceptId(), insert(RELATIONS, relation(id(), c.conceptId(), dasein, c.firstCategory(),
                        "PRESUPPOSES", "Dasein understands being")))
                .send();
        Fixtures.awaitSearchable(changed);
        source = OpenSearchDocs.concept(c.conceptId()).path("_source");
        assertEquals("Being and nothing pass over into becoming.", source.path("description").asText());
        assertEquals(2, source.path("conceptVersion").asLong());
        assertEquals(List.of("Being", "Dasein"), names(source.path("categories")),
                "Nothing removed; Dasein's name from the categories side index");
        assertEquals(1, source.path("relations").size());
        assertEquals("Dasein understands being", source.path("relations").get(0).path("rationale").asText());
        assertEquals(changed, OpenSearchDocs.concept(c.conceptId()).path("_version").asLong());

        // searchable by the new relation's rationale, the category name and filtered by tradition
        given().auth().oauth2(TestJwt.user("bob")).queryParam("q", "understands").queryParam("tradition", tradition)
                .when().get("/api/search")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(c.conceptId()));
    }

    @Test
    void aCategoryDescriptionFansOutToEveryConceptThatIncludesIt() {
        String tradition = "Fan-" + UUID.randomUUID();
        String shared = id();
        long created = stream.tx().category(shared, insert(CATEGORIES, category(shared, "Negativity", null))).send();
        Fixtures.awaitSearchable(created);
        List<String> concepts = new ArrayList<>();
        for (String owner : List.of("alice", "bob")) {
            String conceptId = id();
            concepts.add(conceptId);
            long lsn = stream.tx()
                    .concept(conceptId, insert(CONCEPTS, concept(conceptId, owner, owner + "'s dialectic", "x", tradition, "PUBLIC", 1)))
                    .concept(conceptId, insert(MEMBERSHIPS, membership(id(), conceptId, shared, 0.5)))
                    .send();
            Fixtures.awaitSearchable(lsn);
        }
        double fanoutBefore = metrics.fanoutCount();
        // Bob's concept fills in the description: category topic (authority) + a copy in Bob's group
        long filled = stream.tx()
                .category(shared, update(CATEGORIES, category(shared, "Negativity", null),
                        category(shared, "Negativity", "The labour of the negative")))
                .send();
        Fixtures.awaitSearchable(filled);
        for (String conceptId : concepts) {
            JsonNode doc = OpenSearchDocs.concept(conceptId);
            JsonNode entry = doc.path("_source").path("categories").get(0);
            assertEquals("The labour of the negative", entry.path("description").asText(), conceptId);
            assertEquals(filled, entry.path("lsn").asLong());
            assertTrue(doc.path("_version").asLong() < filled, "a category change keeps the concept's version");
        }
        assertEquals(2, metrics.fanoutCount() - fanoutBefore, 0.01);
        given().auth().oauth2(TestJwt.user("carol")).queryParam("q", "labour").queryParam("tradition", tradition)
                .when().get("/api/search")
                .then().statusCode(200).body("total", equalTo(2));
        JsonNode side = OpenSearchDocs.get(SearchTestStack.CATEGORIES, shared);
        assertEquals(filled, side.path("_version").asLong(), "applied[categoryId] is the side document's version");

        // the same category group delivered again (with different content, to tell): a repeat, nothing changes
        double repeats = metrics.repeats();
        stream.replay(filled).category(shared, update(CATEGORIES, null, category(shared, "Negativity", "stale")))
                .sendGroups();
        long after = ChangeStream.nextLsn();
        stream.watermarks(after);
        Fixtures.awaitSearchable(after);
        assertEquals(1, metrics.repeats() - repeats, 0.01);
        assertEquals("The labour of the negative",
                OpenSearchDocs.get(SearchTestStack.CATEGORIES, shared).path("_source").path("description").asText());
        assertEquals("The labour of the negative",
                OpenSearchDocs.concept(concepts.get(0)).path("_source").path("categories").get(0).path("description").asText());
    }

    @Test
    void duplicatesAndInterruptedRunsChangeNothing() {
        String conceptId = id();
        ChangeStream.Tx tx = stream.tx()
                .concept(conceptId, insert(CONCEPTS, concept(conceptId, "alice", "Repeated", "once", "R", "PUBLIC", 1)))
                .concept(conceptId, insert(CATEGORIES, category(id(), "Once", null)));
        tx.concepts.get(conceptId).add(insert(MEMBERSHIPS, membership(id(), conceptId,
                (String) tx.concepts.get(conceptId).get(1).after().get("id"), 0.5)));
        double applied = metrics.groupsApplied();
        double repeats = metrics.repeats();
        double dropped = metrics.droppedRunCount();
        // an interrupted run (the connector crashed mid-group), then the whole group again, then a duplicate
        tx.sendPrefix(conceptId, 2);
        tx.sendGroups();
        tx.sendGroups();
        stream.watermarks(tx.lsn());
        Fixtures.awaitSearchable(tx.lsn());
        assertEquals(1, metrics.groupsApplied() - applied, 0.01, "applied once");
        assertEquals(1, metrics.repeats() - repeats, 0.01, "the duplicate is a repeat");
        assertEquals(1, metrics.droppedRunCount() - dropped, 0.01, "the interrupted run was dropped");
        JsonNode doc = OpenSearchDocs.concept(conceptId);
        assertEquals(tx.lsn(), doc.path("_version").asLong());
        assertEquals(1, doc.path("_source").path("categories").size());
    }

    @Test
    void aDeleteLeavesATombstoneThatAStaleCreateCannotResurrect() {
        String tradition = "Del-" + UUID.randomUUID();
        Fixtures.Created c = Fixtures.createConcept(stream, "alice", "Doomed", "to be deleted", tradition, "PUBLIC",
                "Alpha", "Omega", "ends");
        Fixtures.awaitSearchable(c.lsn());
        long deleted = stream.tx()
                .concept(c.conceptId(), delete(RELATIONS, relation(c.relationId(), c.conceptId(), c.firstCategory(), c.secondCategory(), "NEGATES", "ends")))
                .concept(c.conceptId(), delete(MEMBERSHIPS, membership(id(), c.conceptId(), c.firstCategory(), 0.9)))
                .concept(c.conceptId(), delete(MEMBERSHIPS, membership(id(), c.conceptId(), c.secondCategory(), 0.8)))
                .concept(c.conceptId(), delete(CONCEPTS, concept(c.conceptId(), "alice", "Doomed", "to be deleted", tradition, "PUBLIC", 1)))
                .send();
        Fixtures.awaitSearchable(deleted);
        JsonNode doc = OpenSearchDocs.concept(c.conceptId());
        assertTrue(doc.path("_source").path("deleted").asBoolean());
        assertEquals(deleted, doc.path("_version").asLong());
        given().auth().oauth2(TestJwt.admin("root")).queryParam("tradition", tradition).when().get("/api/search")
                .then().statusCode(200).body("total", equalTo(0));

        // the create is delivered again (a consumer restarted from an old offset): stale, ignored
        double repeats = metrics.repeats();
        stream.replay(c.lsn()).concept(c.conceptId(),
                insert(CONCEPTS, concept(c.conceptId(), "alice", "Doomed", "to be deleted", tradition, "PUBLIC", 1)))
                .sendGroups();
        long after = ChangeStream.nextLsn();
        stream.watermarks(after);
        Fixtures.awaitSearchable(after);
        doc = OpenSearchDocs.concept(c.conceptId());
        assertTrue(doc.path("_source").path("deleted").asBoolean(), "still a tombstone");
        assertEquals(deleted, doc.path("_version").asLong());
        assertEquals(1, metrics.repeats() - repeats, 0.01);
        assertFalse(doc.path("_source").has("name"));
    }

    @Test
    void tombstonesBelowThePurgeHorizonGoWithTheirVectorsAndNothingElseDoes() {
        String tradition = "Purge-" + UUID.randomUUID();
        Fixtures.Created early = Fixtures.createConcept(stream, "alice", "Early", "deleted first", tradition, "PUBLIC",
                "Alpha", "Omega", "ends");
        Fixtures.Created late = Fixtures.createConcept(stream, "alice", "Late", "deleted second", tradition, "PUBLIC",
                "Alpha", "Omega", "ends");
        Fixtures.Created kept = Fixtures.createConcept(stream, "alice", "Kept", "never deleted", tradition, "PUBLIC",
                "Alpha", "Omega", "ends");
        long earlyDeleted = stream.tx().concept(early.conceptId(), delete(CONCEPTS,
                concept(early.conceptId(), "alice", "Early", "deleted first", tradition, "PUBLIC", 1))).send();
        long lateDeleted = stream.tx().concept(late.conceptId(), delete(CONCEPTS,
                concept(late.conceptId(), "alice", "Late", "deleted second", tradition, "PUBLIC", 1))).send();
        Fixtures.awaitSearchable(lateDeleted);
        for (String id : List.of(early.conceptId(), late.conceptId())) {
            OpenSearchDocs.send("PUT", "/" + SearchTestStack.EMBEDDINGS + "/_doc/" + id + "?refresh=true",
                    "{\"conceptId\":\"" + id + "\",\"key\":\"k\"}");
        }
        assertTrue(earlyDeleted < lateDeleted);

        assertTrue(purger.purgeBelow(lateDeleted) >= 1);

        assertFalse(OpenSearchDocs.concept(early.conceptId()).path("found").asBoolean(), "the early tombstone went");
        assertFalse(OpenSearchDocs.get(SearchTestStack.EMBEDDINGS, early.conceptId()).path("found").asBoolean(),
                "and its vector with it");
        JsonNode lateDoc = OpenSearchDocs.concept(late.conceptId());
        assertTrue(lateDoc.path("_source").path("deleted").asBoolean(), "a tombstone at the horizon stays");
        assertEquals(lateDeleted, lateDoc.path("_version").asLong());
        assertTrue(OpenSearchDocs.get(SearchTestStack.EMBEDDINGS, late.conceptId()).path("found").asBoolean());
        JsonNode live = OpenSearchDocs.concept(kept.conceptId());
        assertFalse(live.path("_source").path("deleted").asBoolean(), "a live concept is no tombstone");
        assertEquals("Kept", live.path("_source").path("name").asText());
        assertEquals(0, purger.purgeBelow(lateDeleted), "a second purge finds nothing left below the horizon");
    }

    @Test
    void aDocumentWrittenBackWithOlderCategoryAttributesIsRepairedByItsWritersRecheck() {
        // what two replicas can produce: replica 1 stores a category's new description (and fans it out) while
        // replica 2 writes a concept including it with the attributes it had read before
        String categoryId = id();
        String conceptId = id();
        stream.tx().category(categoryId, insert(CATEGORIES, category(categoryId, "Mediation", null))).send();
        long lsn = stream.tx()
                .concept(conceptId, insert(CONCEPTS, concept(conceptId, "alice", "Mediated immediacy", "x", "Recheck", "PUBLIC", 1)))
                .concept(conceptId, insert(MEMBERSHIPS, membership(id(), conceptId, categoryId, 0.5)))
                .send();
        Fixtures.awaitSearchable(lsn);
        long newer = ChangeStream.nextLsn();
        OpenSearchDocs.send("PUT", "/" + SearchTestStack.CATEGORIES + "/_doc/" + categoryId + "?version=" + newer
                + "&version_type=external", "{\"id\":\"" + categoryId + "\",\"name\":\"Mediation\",\"canonicalName\":"
                + "\"mediation\",\"description\":\"Through its other\",\"deleted\":false,\"lsn\":" + newer + "}");
        assertEquals("", OpenSearchDocs.concept(conceptId).path("_source").path("categories").get(0)
                .path("description").asText(""), "written with the older attributes");

        assertEquals(1, writer.recheck(List.of(conceptId), indexes.resolveTargets()));
        JsonNode doc = OpenSearchDocs.concept(conceptId);
        JsonNode entry = doc.path("_source").path("categories").get(0);
        assertEquals("Through its other", entry.path("description").asText());
        assertEquals(newer, entry.path("lsn").asLong());
        assertEquals(lsn, doc.path("_version").asLong(), "the concept's own version is kept");
        assertEquals(0, writer.recheck(List.of(conceptId), indexes.resolveTargets()), "nothing left to repair");
    }

    @Test
    void thePositionsAreInTheIndexNextToTheDocuments() {
        String conceptId = id();
        long lsn = stream.tx()
                .concept(conceptId, insert(CONCEPTS, concept(conceptId, "alice", "Positions", "x", "Progress", "PUBLIC", 1)))
                .send();
        Fixtures.awaitSearchable(lsn);
        for (String topic : List.of(SearchTestStack.CONCEPT_TOPIC, SearchTestStack.CATEGORY_TOPIC)) {
            for (int p = 0; p < SearchTestStack.PARTITIONS; p++) {
                JsonNode doc = OpenSearchDocs.concept(ProgressDocs.id(topic, p));
                assertTrue(doc.path("found").asBoolean(), topic + "-" + p);
                assertTrue(doc.path("_version").asLong() >= lsn, "external version = position");
                assertEquals(doc.path("_version").asLong(), doc.path("_source").path("position").asLong());
                assertEquals(SearchTestStack.PARTITIONS, doc.path("_source").path("partitions").asInt());
            }
        }
        // never a search result, whatever the caller may see
        given().auth().oauth2(TestJwt.admin("root")).queryParam("size", 100).when().get("/api/search")
                .then().statusCode(200).body("items.id", org.hamcrest.Matchers.everyItem(
                        org.hamcrest.Matchers.not(org.hamcrest.Matchers.startsWith("_progress"))));
    }

    /**
     * Superseded versions of a document stay in the index as soft-deleted documents until a commit covers them, and
     * a projected index is never idle: with OpenSearch's default flush threshold (512mb) the live index kept 136,696
     * of them next to 9,000 live documents (README, "Index upkeep"). Every index is created with the configured
     * threshold, and one created before it existed gets it at start-up.
     */
    @Test
    void theIndexesCommitEveryFlushThreshold() {
        String threshold = SearchTestStack.FLUSH_THRESHOLD;
        String created = indexes.createConceptIndex();
        try {
            assertEquals(threshold, flushThreshold(created), "a new concept index");
        } finally {
            OpenSearchDocs.call("DELETE", "/" + created);
        }
        String live = indexes.ensure();
        List<String> all = List.of(live, SearchTestStack.CATEGORIES, SearchTestStack.EMBEDDINGS);
        for (String index : all) {
            assertEquals(threshold, flushThreshold(index), index);
            OpenSearchDocs.send("PUT", "/" + index + "/_settings", "{\"index.translog.flush_threshold_size\": \"512mb\"}");
            assertEquals("512mb", flushThreshold(index), "as an index created before the setting");
        }
        assertEquals(live, indexes.ensure());
        for (String index : all) {
            assertEquals(threshold, flushThreshold(index), index + " set in place");
        }
    }

    private static String flushThreshold(String index) {
        String key = "index.translog.flush_threshold_size";
        JsonNode settings = OpenSearchDocs.call("GET", "/" + index + "/_settings?flat_settings=true&include_defaults=true")
                .path(index);
        return settings.path("settings").has(key) ? settings.path("settings").path(key).asText()
                : settings.path("defaults").path(key).asText();
    }

    @Test
    void whileOpenSearchRefusesWritesNothingIsSkippedOrCommitted() throws Exception {
        String index = OpenSearchDocs.call("GET", "/_alias/" + SearchTestStack.ALIAS).fieldNames().next();
        String conceptId = id();
        double retries = metrics.retries();
        long before = committedOffsets();
        OpenSearchDocs.call("POST", "/" + index + "/_close");
        ChangeStream.Tx tx;
        try {
            tx = stream.tx().concept(conceptId,
                    insert(CONCEPTS, concept(conceptId, "alice", "Written after an outage", "x", "Outage", "PUBLIC", 1)));
            tx.send();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (metrics.retries() - retries < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(metrics.retries() - retries >= 2, "the batch is retried");
            assertEquals(before, committedOffsets(), "no offset moves past the unapplied group");
        } finally {
            OpenSearchDocs.call("POST", "/" + index + "/_open?wait_for_active_shards=1");
        }
        Fixtures.awaitSearchable(tx.lsn());
        JsonNode doc = OpenSearchDocs.concept(conceptId);
        assertTrue(doc.path("found").asBoolean(), "applied once OpenSearch took writes again");
        assertEquals("Written after an outage", doc.path("_source").path("name").asText());
        assertTrue(committedOffsets() > before);
    }

    /** Sum of this run's committed offsets over every partition of both topics. */
    private static long committedOffsets() throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SearchTestStack.KAFKA))) {
            return admin.listConsumerGroupOffsets("test-search-" + SearchTestStack.RUN).partitionsToOffsetAndMetadata()
                    .get().values().stream().filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
        }
    }
}
