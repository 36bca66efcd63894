package io.dialectica.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.cdc.TopicReader.Received;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.ConsistencyToken;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.Operation;
import io.dialectica.contracts.Tables;
import io.dialectica.contracts.rows.ConceptRow;
import io.dialectica.contracts.rows.MembershipRow;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static io.dialectica.cdc.CdcTestStack.CATEGORY_TOPIC;
import static io.dialectica.cdc.CdcTestStack.CONCEPT_TOPIC;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against real PostgreSQL (logical decoding) and real Kafka: rows changed through SQL come out of the topics
 * as the contract in docs/events.md says.
 */
@QuarkusTest
@QuarkusTestResource(value = CdcTestStack.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(JwtTestResource.class)
class CdcConnectorTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TopicReader reader;

    @Inject
    ObjectMapper mapper;

    @Inject
    CdcEngine engine;

    @BeforeEach
    void streaming() throws Exception {
        if (reader == null) {
            reader = new TopicReader(mapper, CONCEPT_TOPIC, CATEGORY_TOPIC);
        }
        // a watermark on the topics means the snapshot is done and heartbeats stream through
        reader.await(Duration.ofSeconds(60), "the first watermark", all -> all.stream().anyMatch(r -> r.envelope().isWatermark()));
    }

    @AfterAll
    static void closeReader() throws InterruptedException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    @Test
    void oneTransactionIsOneGroupPerKeyWithFullImagesInWalOrder() throws Exception {
        UUID concept = UUID.randomUUID();
        UUID being = UUID.randomUUID();
        UUID nothing = UUID.randomUUID();
        UUID m1 = UUID.randomUUID();
        UUID m2 = UUID.randomUUID();
        UUID relation = UUID.randomUUID();

        Sql.Written created = Sql.tx(c -> {
            Sql.insertConcept(c, concept, "Logic of Being", "Pure being and pure nothing are the same.");
            Sql.insertCategory(c, being, "Being");
            Sql.insertCategory(c, nothing, "Nothing");
            Sql.insertMembership(c, m1, concept, being, 0.9);
            Sql.insertMembership(c, m2, concept, nothing, 0.8);
            Sql.insertRelation(c, relation, concept, being, nothing, "SUBLATES");
        });

        List<Received> group = awaitGroup(CONCEPT_TOPIC, concept.toString(), 0);
        assertEquals(List.of(Tables.CONCEPTS, Tables.CATEGORIES, Tables.CATEGORIES, Tables.CONCEPT_CATEGORIES,
                Tables.CONCEPT_CATEGORIES, Tables.CONCEPT_RELATIONS), tables(group));
        ChangeEnvelope first = group.get(0).envelope();
        long commitLsn = first.commitLsn();
        for (int i = 0; i < group.size(); i++) {
            ChangeEnvelope e = group.get(i).envelope();
            assertEquals(concept.toString(), group.get(i).key());
            assertEquals(concept.toString(), e.key());
            assertEquals(Operation.CREATE, e.op());
            assertEquals(i, e.txIndex());
            assertEquals(6, e.txSize());
            assertEquals(6, e.txEvents(), "1 concept + 2 categories + 2 memberships + 1 relation");
            assertEquals(commitLsn, e.commitLsn());
            assertEquals(created.xid(), e.txId());
            assertNull(e.before());
            assertFalse(e.snapshot());
            assertTrue(e.lsn() < commitLsn, "a row change precedes its commit");
            if (i > 0) {
                assertTrue(e.lsn() > group.get(i - 1).envelope().lsn(), "WAL order inside the group");
            }
            assertEquals(group.get(0).partition(), group.get(i).partition());
        }
        assertTrue(group.get(group.size() - 1).envelope().closesGroup());
        assertNotNull(first.commitTime());
        assertFalse(first.capturedAt().isBefore(first.commitTime().minusSeconds(5)));

        ConceptRow row = mapper.convertValue(first.after(), ConceptRow.class);
        assertEquals(concept, row.id());
        assertEquals("Logic of Being", row.name());
        assertEquals("PUBLIC", row.visibility());
        assertEquals(0.4, row.qualityScore());
        assertEquals(1, row.version());
        MembershipRow membership = mapper.convertValue(group.get(3).envelope().after(), MembershipRow.class);
        assertEquals(m1, membership.id());
        assertEquals(being, membership.categoryId());
        assertEquals(0.9, membership.weight());
        assertEquals(10.0, membership.x());
        assertEquals(-20.0, membership.y());
        assertEquals("Being", group.get(1).envelope().after().get("name"));
        assertEquals("SUBLATES", group.get(5).envelope().after().get("type"));

        // the consistency token of the writing transaction is covered by the group's commit LSN
        assertTrue(ConsistencyToken.coversConcept(commitLsn, created.token()),
                "token " + created.token() + " vs commit " + Lsn.format(commitLsn));

        // the shared categories travel on their own topic too, keyed by category id, in the same transaction
        for (UUID category : List.of(being, nothing)) {
            List<Received> own = awaitGroup(CATEGORY_TOPIC, category.toString(), 0);
            assertEquals(1, own.size());
            assertEquals(commitLsn, own.get(0).envelope().commitLsn());
            assertEquals(1, own.get(0).envelope().txSize());
            assertEquals(6, own.get(0).envelope().txEvents());
            assertEquals(category.toString(), own.get(0).envelope().after().get("id"));
        }

        // update: full before-images
        Sql.tx(c -> {
            Sql.exec(c, "update concepts set name = 'Being, Nothing, Becoming', version = version + 1 where id = ?", concept);
            Sql.exec(c, "update concept_categories set weight = 0.3 where id = ?", m2);
            Sql.exec(c, "delete from concept_relations where id = ?", relation);
        });
        List<Received> updated = awaitGroup(CONCEPT_TOPIC, concept.toString(), 1);
        assertEquals(List.of(Operation.UPDATE, Operation.UPDATE, Operation.DELETE), ops(updated));
        assertEquals("Logic of Being", updated.get(0).envelope().before().get("name"));
        assertEquals("Being, Nothing, Becoming", updated.get(0).envelope().after().get("name"));
        assertEquals(0.8, updated.get(1).envelope().before().get("weight"));
        assertEquals(0.3, updated.get(1).envelope().after().get("weight"));
        assertNull(updated.get(2).envelope().after());
        assertEquals(concept.toString(), updated.get(2).envelope().before().get("concept_id"));
        assertEquals("because", updated.get(2).envelope().before().get("rationale"));
        assertTrue(updated.get(0).envelope().commitLsn() > commitLsn);

        // delete: the cascaded rows come in the same group, routed by the concept_id of their before-image
        Sql.Written deleted = Sql.tx(c -> Sql.exec(c, "delete from concepts where id = ?", concept));
        List<Received> gone = awaitGroup(CONCEPT_TOPIC, concept.toString(), 2);
        assertEquals(List.of(Operation.DELETE, Operation.DELETE, Operation.DELETE), ops(gone));
        assertEquals(List.of(Tables.CONCEPTS, Tables.CONCEPT_CATEGORIES, Tables.CONCEPT_CATEGORIES), tables(gone));
        assertTrue(ConsistencyToken.coversConcept(gone.get(0).envelope().commitLsn(), deleted.token()));
        assertEquals(group.get(0).partition(), gone.get(0).partition());
    }

    @Test
    void unchangedLongDescriptionIsCarriedInTheAfterImage() throws Exception {
        UUID concept = UUID.randomUUID();
        StringBuilder text = new StringBuilder();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (text.length() < 15_000) {
            text.append(Long.toString(random.nextLong(), 36)).append(' '); // incompressible: stored out of line (TOAST)
        }
        String description = text.substring(0, 15_000);
        Sql.tx(c -> Sql.insertConcept(c, concept, "Long", description));
        Sql.tx(c -> Sql.exec(c, "update concepts set name = 'Longer', version = 2 where id = ?", concept));
        List<Received> update = awaitGroup(CONCEPT_TOPIC, concept.toString(), 1);
        assertEquals("Longer", update.get(0).envelope().after().get("name"));
        assertEquals(description, update.get(0).envelope().after().get("description"));
        assertEquals(description, update.get(0).envelope().before().get("description"));
    }

    @Test
    void everyConceptKeepsCommitOrderInOnePartition() throws Exception {
        List<UUID> concepts = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        Sql.tx(c -> {
            for (UUID id : concepts) {
                Sql.insertConcept(c, id, "ordered", null);
            }
        });
        int updates = 60;
        for (int i = 0; i < updates; i++) {
            UUID id = concepts.get(i % concepts.size());
            Sql.tx(c -> Sql.exec(c, "update concepts set version = version + 1 where id = ?", id));
        }
        Set<String> keys = concepts.stream().map(UUID::toString).collect(Collectors.toSet());
        int expected = concepts.size() + updates;
        List<Received> all = reader.await(WAIT, expected + " changes of 4 concepts", r -> r.stream()
                .filter(x -> CONCEPT_TOPIC.equals(x.topic()) && keys.contains(x.key())).count() >= expected);
        Map<String, List<Received>> byKey = new LinkedHashMap<>();
        all.stream().filter(x -> CONCEPT_TOPIC.equals(x.topic()) && keys.contains(x.key()))
                .forEach(x -> byKey.computeIfAbsent(x.key(), k -> new ArrayList<>()).add(x));
        assertEquals(4, byKey.size());
        for (List<Received> stream : byKey.values()) {
            assertEquals(1, stream.stream().map(Received::partition).distinct().count(), "one partition per concept");
            long lastLsn = 0;
            long lastVersion = 0;
            for (Received r : stream) {
                ChangeEnvelope e = r.envelope();
                assertTrue(e.commitLsn() > lastLsn, "commit order");
                long version = ((Number) e.after().get("version")).longValue();
                assertEquals(lastVersion + 1, version, "no change skipped or repeated");
                lastLsn = e.commitLsn();
                lastVersion = version;
            }
            assertEquals(1 + updates / concepts.size(), lastVersion);
        }
    }

    @Test
    void heartbeatsMoveWatermarksOnEveryPartitionOfAQuietDatabase() throws Exception {
        long now;
        try (Connection c = CdcTestStack.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select cast(pg_current_wal_insert_lsn() as text)")) {
            rs.next();
            now = Lsn.parse(rs.getString(1));
        }
        List<Received> all = reader.await(WAIT, "watermarks past " + Lsn.format(now) + " on all partitions",
                r -> watermarkedPartitions(r, now).size() == 2 * CdcTestStack.PARTITIONS);
        assertEquals(2 * CdcTestStack.PARTITIONS, watermarkedPartitions(all, now).size());
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("dialectica_cdc_events_total"))
                .body(containsString("dialectica_cdc_behind_source_milliseconds"))
                .body(containsString("dialectica_cdc_last_commit_lsn"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks[0].data.engine", equalTo("running"))
                .body("checks[0].data.kafka", equalTo("reachable"));
    }

    @Test
    void aRestartResumesWhereItStoppedWithoutSkipping() throws Exception {
        UUID concept = UUID.randomUUID();
        Sql.tx(c -> Sql.insertConcept(c, concept, "restart", null));
        awaitGroup(CONCEPT_TOPIC, concept.toString(), 0);

        engine.stop();
        assertFalse(engine.isRunning());
        for (int i = 0; i < 5; i++) {
            Sql.tx(c -> Sql.exec(c, "update concepts set version = version + 1 where id = ?", concept));
        }
        engine.start();

        List<Received> all = reader.await(WAIT, "the 5 changes written while stopped",
                r -> groups(r, CONCEPT_TOPIC, concept.toString()).size() >= 6);
        List<List<Received>> groups = groups(all, CONCEPT_TOPIC, concept.toString());
        List<Long> versions = groups.stream().map(g -> ((Number) g.get(0).envelope().after().get("version")).longValue())
                .toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), versions, "a clean stop resumes exactly");
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aKafkaFailureRedeliversFromTheCommittedOffsetAndSkipsNothing() throws Exception {
        List<UUID> concepts = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        Sql.tx(c -> {
            for (UUID id : concepts) {
                Sql.insertConcept(c, id, "failure", null);
            }
        });
        int updates = 90;
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < updates; i++) {
                    UUID id = concepts.get(i % concepts.size());
                    Sql.tx(c -> Sql.exec(c, "update concepts set version = version + 1 where id = ?", id));
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        Thread.sleep(60);
        engine.abortProducer(); // as if the broker connection were lost mid-stream
        writer.join();

        long last = 1 + updates / concepts.size();
        Set<String> keys = concepts.stream().map(UUID::toString).collect(Collectors.toSet());
        List<Received> all = reader.await(Duration.ofSeconds(60), "every version of 3 concepts after the restart",
                r -> keys.stream().allMatch(k -> groups(r, CONCEPT_TOPIC, k).stream()
                        .anyMatch(g -> ((Number) g.get(0).envelope().after().get("version")).longValue() == last)));
        int repeats = 0;
        for (String key : keys) {
            // the consumer rule of docs/events.md: a group at or below the applied commit LSN is a repeat
            long applied = 0;
            List<Long> versions = new ArrayList<>();
            for (List<Received> group : groups(all, CONCEPT_TOPIC, key)) {
                ChangeEnvelope e = group.get(0).envelope();
                if (e.commitLsn() <= applied) {
                    repeats++;
                    continue;
                }
                applied = e.commitLsn();
                versions.add(((Number) e.after().get("version")).longValue());
            }
            List<Long> expected = new ArrayList<>();
            for (long v = 1; v <= last; v++) {
                expected.add(v);
            }
            assertEquals(expected, versions, "nothing skipped for " + key);
        }
        System.out.printf("aKafkaFailure...: %d repeated groups after the restart%n", repeats);
        long deadline = System.currentTimeMillis() + 30_000;
        while (!engine.isRunning() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(engine.isRunning(), "the engine restarted");
    }

    @Test
    void anIncrementalSnapshotWhileWritesContinueBringsEveryRowAsTheDatabaseHasIt() throws Exception {
        long before;
        String id;
        IncrementalSnapshots.View done;
        int transactions;
        try (Writes writes = Writes.start(20)) {
            Thread.sleep(300); // the writes flow before, during and after the snapshot
            // a projection that starts empty and consumes from here must end up as the database is
            before = currentLsn();
            id = given().auth().oauth2(TestJwt.admin("operator")).when().post("/admin/snapshots").then()
                    .statusCode(202)
                    .body("state", equalTo("REQUESTED"))
                    .body("tables", equalTo(IncrementalSnapshots.TABLES))
                    .extract().path("id");
            done = awaitSnapshot(id, "COMPLETED");
            Thread.sleep(300);
            writes.close();
            transactions = writes.transactions();
        }
        assertEquals(Set.copyOf(IncrementalSnapshots.TABLES), done.scanned().keySet());
        done.scanned().forEach((table, scan) -> assertTrue(Set.of("SUCCEEDED", "EMPTY").contains(scan.status()),
                table + " " + scan));

        long end = currentLsn();
        List<Received> all = reader.await(Duration.ofSeconds(60), "watermarks past " + Lsn.format(end) + " everywhere",
                r -> watermarkedPartitions(r, end).size() == 2 * CdcTestStack.PARTITIONS);

        // the reads: whole groups of op r after the signal, carrying the closing watermark's commit LSN
        List<Received> reads = all.stream().filter(r -> !r.envelope().isWatermark() && r.envelope().commitLsn() > before
                && r.envelope().op() == Operation.READ).toList();
        assertFalse(reads.isEmpty(), "the snapshot published reads");
        for (Received r : reads) {
            ChangeEnvelope e = r.envelope();
            assertTrue(e.snapshot(), "a read is a snapshot row");
            assertNull(e.before());
            assertNotNull(e.after());
            assertEquals(e.commitLsn(), e.lsn());
            assertTrue(Replay.COLUMNS.containsKey(e.table()), e.table());
            assertEquals(Tables.CATEGORIES.equals(e.table()) ? CATEGORY_TOPIC : CONCEPT_TOPIC, r.topic());
            assertEquals(r.key(), e.key());
        }
        // interleaved with the live changes: changes committed between the first chunk and the last
        long firstChunk = reads.stream().mapToLong(r -> r.envelope().commitLsn()).min().orElseThrow();
        long lastChunk = reads.stream().mapToLong(r -> r.envelope().commitLsn()).max().orElseThrow();
        long interleaved = all.stream().filter(r -> !r.envelope().isWatermark() && r.envelope().op() != Operation.READ
                && r.envelope().commitLsn() > firstChunk && r.envelope().commitLsn() < lastChunk).count();
        assertTrue(interleaved > 0, "live changes between the chunks");
        // the signalling table never reaches the topics
        assertTrue(all.stream().allMatch(r -> r.envelope().isWatermark() || Replay.COLUMNS.containsKey(r.envelope().table())));

        Map<String, Map<String, Map<String, Object>>> database;
        try (Connection c = CdcTestStack.connect()) {
            database = Replay.database(c);
        }
        // every row is in the stream after the signal, as a read or a later change, and the last word about each
        // row is the database's: no update lost, no deleted row brought back
        Replay fromSignal = Replay.of(all, CONCEPT_TOPIC, CATEGORY_TOPIC, before);
        assertEquals(List.of(), Replay.differences(database, fromSignal.rows),
                "a projection that consumed only what came after the signal");
        Replay whole = Replay.of(all, CONCEPT_TOPIC, CATEGORY_TOPIC, 0);
        assertEquals(List.of(), Replay.differences(database, whole.rows), "a projection that consumed everything");

        IncrementalSnapshots.View status = snapshot(id);
        assertEquals(reads.size(), status.rowsPublished(), "reads counted by the status");
        long chunks = reads.stream().map(r -> r.envelope().commitLsn()).distinct().count();
        int rows = database.values().stream().mapToInt(Map::size).sum();
        System.out.printf("incremental snapshot: %d rows in the database, %d reads in %d chunks, %d live changes "
                + "between the first and the last chunk, %d write transactions, %d groups applied from the signal%n",
                rows, reads.size(), chunks, interleaved, transactions, fromSignal.appliedGroups);
    }

    @Test
    void snapshotsAreForOperatorsOnlyAndTheSignalTableForTheConnectorOnly() throws Exception {
        given().when().post("/admin/snapshots").then().statusCode(401);
        given().auth().oauth2(TestJwt.user("mallory")).when().post("/admin/snapshots").then().statusCode(403);
        given().auth().oauth2(TestJwt.forged("mallory")).when().get("/admin/snapshots").then().statusCode(401);
        given().auth().oauth2(TestJwt.admin("operator")).contentType("application/json")
                .body("{\"tables\": [\"concepts\", \"relation_types\"]}").when().post("/admin/snapshots").then()
                .statusCode(422).contentType(containsString("problem+json"))
                .body("errors[0].field", equalTo("tables[1]"));
        given().auth().oauth2(TestJwt.admin("operator")).contentType("application/json")
                .body("{\"table\": [\"concepts\"]}").when().post("/admin/snapshots").then().statusCode(400);
        given().auth().oauth2(TestJwt.admin("operator")).when().get("/admin/snapshots/" + UUID.randomUUID()).then()
                .statusCode(404);

        // a subset, in the snapshot order whatever the request's order
        var accepted = given().auth().oauth2(TestJwt.admin("operator")).contentType("application/json")
                .body("{\"tables\": [\"concept_relations\", \"concepts\"]}").when().post("/admin/snapshots").then()
                .statusCode(202).extract();
        String id = accepted.path("id");
        assertTrue(accepted.header("Location").endsWith("/admin/snapshots/" + id), accepted.header("Location"));
        IncrementalSnapshots.View done = awaitSnapshot(id, "COMPLETED");
        assertEquals(List.of(Tables.CONCEPTS, Tables.CONCEPT_RELATIONS), done.tables());
        assertEquals(Set.of(Tables.CONCEPTS, Tables.CONCEPT_RELATIONS), done.scanned().keySet());
        given().auth().oauth2(TestJwt.admin("operator")).when().get("/admin/snapshots").then().statusCode(200)
                .body("id", hasItem(id));

        // the signalling table is published; the connector's role may write it, search-service's role may not read it
        try (Connection c = CdcTestStack.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from pg_publication_tables "
                        + "where pubname = 'dialectica_cdc' and tablename = 'cdc_signal'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
        try (Connection c = CdcTestStack.connectAs(CdcTestStack.CDC_USER, CdcTestStack.CDC_PASSWORD);
                Statement s = c.createStatement()) {
            s.executeUpdate("insert into cdc_signal select * from cdc_signal where false");
        }
        try (Connection c = CdcTestStack.connectAs("dialectica_search", "dialectica_search");
                Statement s = c.createStatement()) {
            for (String sql : List.of("select count(*) from cdc_signal",
                    "insert into cdc_signal (id, type, data) values ('x', 'log', null)")) {
                SQLException refused = assertThrows(SQLException.class,
                        () -> s.execute(sql), sql);
                assertEquals("42501", refused.getSQLState(), sql + ": " + refused.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Polls GET /admin/snapshots/{id} until the state is reached (fails at another final state). */
    private IncrementalSnapshots.View awaitSnapshot(String id, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        IncrementalSnapshots.View view = null;
        while (System.nanoTime() < deadline) {
            view = snapshot(id);
            if (state.equals(view.state())) {
                return view;
            }
            assertFalse(Set.of("ABORTED", "SUPERSEDED", "COMPLETED").contains(view.state()), "snapshot " + view);
            Thread.sleep(100);
        }
        throw new AssertionError("snapshot " + id + " did not reach " + state + ": " + view);
    }

    private IncrementalSnapshots.View snapshot(String id) throws Exception {
        String json = given().auth().oauth2(TestJwt.admin("operator")).when().get("/admin/snapshots/" + id).then()
                .statusCode(200).extract().asString();
        return mapper.readValue(json, IncrementalSnapshots.View.class);
    }

    private static long currentLsn() throws SQLException {
        try (Connection c = CdcTestStack.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select cast(pg_current_wal_insert_lsn() as text)")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static Set<String> watermarkedPartitions(List<Received> records, long past) {
        Set<String> partitions = new HashSet<>();
        for (Received r : records) {
            if (r.envelope().isWatermark() && r.envelope().commitLsn() >= past) {
                partitions.add(r.topic() + "/" + r.partition());
            }
        }
        return partitions;
    }

    /** The change groups of one key in arrival order (a group = same commit LSN). */
    private static List<List<Received>> groups(List<Received> records, String topic, String key) {
        Map<Long, List<Received>> groups = new LinkedHashMap<>();
        for (Received r : records) {
            if (topic.equals(r.topic()) && key.equals(r.key())) {
                groups.computeIfAbsent(r.envelope().commitLsn(), k -> new ArrayList<>()).add(r);
            }
        }
        return new ArrayList<>(groups.values());
    }

    /** Waits for the n-th complete group of a key. */
    private static List<Received> awaitGroup(String topic, String key, int n) throws InterruptedException {
        List<Received> all = reader.await(WAIT, "group " + n + " of " + key, r -> {
            List<List<Received>> groups = groups(r, topic, key);
            return groups.size() > n && groups.get(n).size() == groups.get(n).get(0).envelope().txSize();
        });
        return groups(all, topic, key).get(n);
    }

    private static List<String> tables(List<Received> group) {
        return group.stream().map(r -> r.envelope().table()).toList();
    }

    private static List<Operation> ops(List<Received> group) {
        return group.stream().map(r -> r.envelope().op()).toList();
    }

}
