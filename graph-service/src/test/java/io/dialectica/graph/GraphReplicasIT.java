package io.dialectica.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dialectica.contracts.ChangeEnvelope;
import io.dialectica.contracts.ConsistencyToken;
import io.dialectica.contracts.Lsn;
import io.dialectica.contracts.Tables;
import io.dialectica.testsupport.TestJwt;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged graph-service replicas ({@code target/quarkus-app}, each its own JVM, as in production) in one
 * consumer group, against the real local Kafka and Neo4j. A stream of change groups over hundreds of concepts (and
 * the connector's watermarks) flows while token reads go to both replicas alternately — so about half reach the
 * replica that did not apply the write:
 * <ul>
 * <li>a concept read with its own write's token, a concept read with the token of the newest write of any concept
 * (the low-watermark rule), and a path read across concepts with a relation's token;</li>
 * <li>an answer older than its token (checked against what was produced) fails the test at any time; a 504 fails it
 * while both replicas are healthy;</li>
 * <li>mid-stream, in the middle of a change group, the replica consuming that group's partition is killed (SIGKILL):
 * the survivor takes its partitions over after the session timeout (504s are allowed until it has caught up, stale
 * answers never), then the killed replica starts again and partitions move back (a rebalance while the stream
 * flows), and the stream goes on healthy with both;</li>
 * <li>at the end every concept in Neo4j is in its last produced state (name/version, applied LSN, memberships,
 * relation), the interrupted group applied exactly once in effect, and every partition's progress node is past the
 * last watermark.</li>
 * </ul>
 * Runs in about a minute and a half.
 */
class GraphReplicasIT {

    static final int PARTITIONS = 6;
    static final int CONCEPTS = 300;
    static final int WRITES_PER_SECOND = 100;
    static final int READERS = 3;
    static final Duration HEALTHY = Duration.ofSeconds(12);
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String CONCEPT_TOPIC = "graph-replicas-" + RUN + ".concept-changes";
    static final String CATEGORY_TOPIC = "graph-replicas-" + RUN + ".category-changes";
    static final String TOKEN = TestJwt.admin("replicas-it");
    static final Path DIR = Path.of("target", "replicas-it");

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static Replica a;
    static Replica b;
    static Stream stream;
    static Driver neo4j;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, GraphTestStack.KAFKA))) {
            admin.createTopics(List.of(new NewTopic(CONCEPT_TOPIC, PARTITIONS, (short) 1),
                    new NewTopic(CATEGORY_TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_NEO4J_URI", GraphTestStack.NEO4J);
        env.put("QUARKUS_NEO4J_AUTHENTICATION_DISABLED", "true");
        env.put("DIALECTICA_GRAPH_KAFKA_BOOTSTRAP_SERVERS", GraphTestStack.KAFKA);
        env.put("DIALECTICA_GRAPH_KAFKA_GROUP_ID", "graph-replicas-" + RUN);
        env.put("DIALECTICA_GRAPH_KAFKA_SESSION_TIMEOUT", SESSION_TIMEOUT.toMillis() + "ms");
        env.put("DIALECTICA_GRAPH_TOPICS_CONCEPT_CHANGES", CONCEPT_TOPIC);
        env.put("DIALECTICA_GRAPH_TOPICS_CATEGORY_CHANGES", CATEGORY_TOPIC);
        // longer than production's 2 s: on a 2-core CI machine running the whole suite, a healthy replica
        // once took over 2 s to answer (one 504 in a healthy phase); what is tested is that every token read is
        // answered and never stale while the stream is healthy, not how fast a starved machine answers
        env.put("DIALECTICA_GRAPH_CONSISTENCY_WAIT", "8s");
        // no embeddings here: this IT is about token reads on a 2-core CI machine; the shared Neo4j holds other runs'
        // concepts (a sweep would embed them all) and what embeddings cost the projection is bench embeddings' question
        env.put("DIALECTICA_GRAPH_EMBEDDING_ENABLED", "false");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestJwt.writePublicKey(DIR.resolve("jwt-public.pem")).toUri().toString());
        env.put("MP_JWT_VERIFY_ISSUER", TestJwt.ISSUER);
        Path app = copyApp();
        neo4j = GraphDatabase.driver(GraphTestStack.NEO4J, AuthTokens.none());
        stream = new Stream();
        a = new Replica("replica-a", app, env);
        b = new Replica("replica-b", app, env);
        a.launch();
        b.launch();
        a.awaitReady(Duration.ofSeconds(120));
        b.awaitReady(Duration.ofSeconds(120));
        // the first watermarks create every partition's progress node; both replicas own some partitions
        stream.watermarks();
        awaitTrue(Duration.ofSeconds(60), () -> a.assigned() > 0 && b.assigned() > 0
                && a.assigned() + b.assigned() == 2 * PARTITIONS, () -> "both replicas own partitions (a="
                + a.assigned() + ", b=" + b.assigned() + ")");
    }

    @AfterAll
    static void stop() throws Exception {
        for (Replica r : new Replica[] {a, b}) {
            if (r != null) {
                r.close();
            }
        }
        if (stream != null) {
            stream.close();
        }
        if (neo4j != null) {
            try (Session session = neo4j.session()) {
                session.run("MATCH (n) WHERE (n:Concept OR n:DeletedConcept OR n:Category) AND n.id IN $ids DETACH DELETE n",
                        Map.of("ids", List.copyOf(Events.IDS))).consume();
            }
            neo4j.close();
        }
        GraphTestStack.removeProgressNodes(List.of(CONCEPT_TOPIC, CATEGORY_TOPIC));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, GraphTestStack.KAFKA))) {
            admin.deleteTopics(List.of(CONCEPT_TOPIC, CATEGORY_TOPIC)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a left-over test topic holds a few kilobytes
        }
    }

    @Test
    void tokenReadsOnEitherReplicaAreNeverStaleAndTheSurvivorTakesOverMidGroup() throws Exception {
        Instant t0 = Instant.now();
        Readers readers = new Readers();
        Thread writer = Thread.ofPlatform().name("replicas-writer").start(stream::run);
        // 0. warm-up: cold JVMs (on a loaded 2-core machine the first transactions and reads take seconds)
        readers.unhealthyFrom(Instant.now());
        readers.start();
        try {
            watch(Duration.ofSeconds(6));
            long warm = stream.lastLsn();
            awaitTrue(Duration.ofSeconds(60), () -> a.lowWatermark() >= warm && b.lowWatermark() >= warm,
                    () -> "both replicas past the warm-up");
            readers.healthySince(Instant.now());
            log(t0, "warmed up: " + stream.writes.get() + " writes, " + readers.summary());

            // 1. both healthy
            watch(HEALTHY);
            log(t0, "healthy: " + stream.writes.get() + " writes, " + readers.summary());

            // 2. half a group in the partition of a new concept, then kill -9 the replica consuming it
            String split = Events.id();
            int partition = Utils.toPositive(Utils.murmur2(split.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            Replica owner = a.owns(CONCEPT_TOPIC, partition) ? a : b;
            Replica survivor = owner == a ? b : a;
            // from here the stream is not healthy (a stalled connector, a dead replica): 504s are counted, not failed
            readers.unhealthyFrom(Instant.now());
            List<ChangeEnvelope> group = stream.pauseWithHalfAGroup(split);
            sleep(Duration.ofMillis(600)); // the owner has read the first half: an open run, no offset past it
            Instant killed = Instant.now();
            readers.target(List.of(survivor));
            readers.down(owner, killed);
            owner.kill();
            log(t0, "killed " + owner.name + " (partition " + partition + " of the concept topic, "
                    + group.size() / 2 + " of " + group.size() + " envelopes of a group sent)");
            stream.resumeWithTheRest(split, group);
            awaitTrue(Duration.ofSeconds(60), () -> survivor.assigned() == 2 * PARTITIONS,
                    () -> "the survivor owns every partition (" + survivor.assigned() + ")");
            long atTakeover = stream.lastLsn();
            awaitTrue(Duration.ofSeconds(60), () -> survivor.lowWatermark() >= atTakeover,
                    () -> "the survivor caught up with " + Lsn.format(atTakeover));
            Instant caughtUp = Instant.now();
            log(t0, survivor.name + " took over in " + Duration.between(killed, caughtUp).toMillis() + " ms");
            readers.healthySince(caughtUp);

            // 3. the survivor alone, then the killed replica back: partitions move while the stream flows
            watch(Duration.ofSeconds(4));
            Instant restarted = Instant.now();
            readers.unhealthyFrom(restarted);
            owner.launch();
            owner.awaitReady(Duration.ofSeconds(120));
            awaitTrue(Duration.ofSeconds(60), () -> owner.assigned() > 0 && survivor.assigned() < 2 * PARTITIONS,
                    () -> "partitions moved back to " + owner.name);
            long atRejoin = stream.lastLsn();
            awaitTrue(Duration.ofSeconds(60), () -> owner.lowWatermark() >= atRejoin,
                    () -> "the store passed " + Lsn.format(atRejoin));
            Instant rejoined = Instant.now();
            readers.target(List.of(a, b));
            readers.healthySince(rejoined);
            log(t0, owner.name + " rejoined in " + Duration.between(restarted, rejoined).toMillis() + " ms (a="
                    + a.assigned() + ", b=" + b.assigned() + " partitions)");

            // 4. both healthy again
            watch(Duration.ofSeconds(8));
        } finally {
            // readers first: a read with the newest write's token is covered only by the next watermark (the low
            // watermark rule), and the watermarks stop with the stream — such a read in flight would wait for its 504
            readers.stop();
            stream.stop();
            writer.join(10_000);
        }
        log(t0, "stream done: " + stream.writes.get() + " writes over " + stream.concepts.size() + " concepts; "
                + readers.summary());

        assertTrue(readers.answered.get() >= 200, "enough token reads: " + readers.summary());
        assertTrue(readers.crossReplica.get() > 0, "answered by the replica that did not apply the write");
        assertEquals(List.of(), readers.stale, "no answer older than its token");
        assertEquals(List.of(), readers.failures, "no 504 or error while the replicas were healthy");

        // 5. convergence: what Neo4j holds against what was produced
        long last = stream.finalWatermark();
        awaitTrue(Duration.ofSeconds(60), () -> a.lowWatermark() >= last && b.lowWatermark() >= last,
                () -> "both replicas see the store at " + Lsn.format(last));
        List<String> differences = differences();
        assertEquals(List.of(), differences, "converged (" + stream.concepts.size() + " concepts)");
        try (Session session = neo4j.session()) {
            long behind = session.run("""
                    MATCH (p:ProjectionProgress) WHERE p.topic IN $topics AND p.position >= $last RETURN count(p)""",
                    Map.of("topics", List.of(CONCEPT_TOPIC, CATEGORY_TOPIC), "last", last)).single().get(0).asLong();
            assertEquals(2 * PARTITIONS, behind, "every partition's progress node at the last watermark");
        }
        log(t0, "converged; repeats skipped: a=" + a.metric("dialectica_graph_groups_repeated_total") + ", b="
                + b.metric("dialectica_graph_groups_repeated_total") + "; progress reads: a="
                + a.metric("dialectica_graph_progress_reads_total") + ", b=" + b.metric("dialectica_graph_progress_reads_total"));
    }

    /** Every concept against its last produced write. */
    static List<String> differences() {
        List<String> differences = new ArrayList<>();
        Map<String, Concept> produced = new HashMap<>(stream.concepts);
        try (Session session = neo4j.session()) {
            Map<String, Record> found = new HashMap<>();
            for (Record r : session.run("""
                    UNWIND $ids AS id
                    MATCH (c:Concept {id: id})
                    OPTIONAL MATCH (c)-[m:INCLUDES]->(k:Category)
                    WITH c, count(m) AS memberships, collect(k.name) AS names
                    OPTIONAL MATCH ()-[x:IMPLIES {conceptId: c.id}]->()
                    RETURN c.id AS id, c.name AS name, c.appliedLsn AS lsn, memberships, names, count(x) AS relations""",
                    Map.of("ids", List.copyOf(produced.keySet()))).list()) {
                found.put(r.get("id").asString(), r);
            }
            for (Concept want : produced.values()) {
                Record r = found.get(want.id);
                Write lastWrite = want.history.lastEntry().getValue();
                if (r == null) {
                    differences.add(want.id + " missing");
                    continue;
                }
                List<String> names = new ArrayList<>(r.get("names").asList(v -> v.asString()));
                Collections.sort(names);
                if (!r.get("name").asString().equals(lastWrite.name()) || r.get("lsn").asLong() != lastWrite.lsn()
                        || r.get("memberships").asLong() != 2 || r.get("relations").asLong() != 1
                        || !names.equals(List.of(want.name + " from", want.name + " to"))) {
                    differences.add(want.id + ": Neo4j has " + r.get("name") + " @" + Lsn.format(r.get("lsn").asLong())
                            + ", " + r.get("memberships") + " memberships " + names + ", " + r.get("relations")
                            + " relations; produced " + lastWrite.name() + " @" + Lsn.format(lastWrite.lsn()));
                }
            }
        }
        return differences;
    }

    // ---- the change stream ----------------------------------------------------------------------------------

    record Write(long lsn, int version, String name) {
    }

    /** A concept as produced: its categories and every write (commit LSN → version). */
    static final class Concept {
        final String id;
        final String name;
        final String from = Events.id();
        final String to = Events.id();
        final NavigableMap<Long, Write> history = new ConcurrentSkipListMap<>();
        final AtomicInteger version = new AtomicInteger();

        Concept(String id, String name) {
            this.id = id;
            this.name = name;
        }

        /** The version a read with this token must show at least (0: the concept did not exist yet). */
        int requiredVersion(long token) {
            Map.Entry<Long, Write> e = history.floorEntry(token);
            return e == null ? 0 : e.getValue().version();
        }
    }

    /**
     * One producer thread, like the connector: commit LSNs strictly increasing, each group's envelopes contiguous in
     * its key's partition, and every ~100 ms a watermark (the last LSN sent) into every partition of both topics.
     */
    static final class Stream implements AutoCloseable {

        final Map<String, Concept> concepts = new ConcurrentHashMap<>();
        final List<Concept> list = new CopyOnWriteArrayList<>();
        /** Recent writes for the readers: concept, LSN, whether it created the concept (then it has the relation). */
        final List<Object[]> recent = new CopyOnWriteArrayList<>();
        final AtomicInteger writes = new AtomicInteger();
        private final AtomicLong lsn = new AtomicLong(0x7_0000_0000L);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Object lock = new Object();
        private final Events builder = new Events(JSON, CONCEPT_TOPIC, CATEGORY_TOPIC);
        private final KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, GraphTestStack.KAFKA, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 1, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer());
        private volatile boolean paused;
        private volatile long lastSent;

        long lastLsn() {
            return lastSent;
        }

        void run() {
            long started = System.nanoTime();
            long lastMark = 0;
            while (running.get()) {
                if (!paused) {
                    synchronized (lock) {
                        if (!paused) {
                            write();
                        }
                    }
                }
                long now = System.nanoTime();
                // no watermark while a group is half sent: the connector never writes one inside a group
                if (!paused && now - lastMark > 100_000_000L) {
                    watermarks();
                    lastMark = now;
                }
                // paced: WRITES_PER_SECOND on average
                long due = started + writes.get() * 1_000_000_000L / WRITES_PER_SECOND;
                long wait = due - System.nanoTime();
                if (wait > 0 || paused) {
                    sleep(Duration.ofNanos(Math.max(wait, 2_000_000)));
                }
            }
        }

        /** Creates a concept (while fewer than CONCEPTS exist, half the time) or renames one. */
        private void write() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (list.size() < 20 || (list.size() < CONCEPTS && random.nextBoolean())) {
                create(new Concept(Events.id(), "C" + list.size()), false);
            } else {
                rename(list.get(random.nextInt(list.size())));
            }
        }

        private List<ChangeEnvelope> createGroup(Concept c, long at) {
            Map<String, Object> row = Events.concept(c.id, "replicas-it", c.name + " v1", "PUBLIC");
            return builder.concept(c.id)
                    .insert(Tables.CONCEPTS, row)
                    .insert(Tables.CATEGORIES, Events.category(c.from, c.name + " from"))
                    .insert(Tables.CATEGORIES, Events.category(c.to, c.name + " to"))
                    .insert(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), c.id, c.from, 0.5))
                    .insert(Tables.CONCEPT_CATEGORIES, Events.membership(Events.id(), c.id, c.to, 0.7))
                    .insert(Tables.CONCEPT_RELATIONS, Events.relation(Events.id(), c.id, c.from, c.to, "IMPLIES", 0.9))
                    .envelopes(at);
        }

        private void create(Concept c, boolean alreadySent) {
            long at = lsn.addAndGet(0x100);
            if (!alreadySent) {
                send(CONCEPT_TOPIC, c.id, createGroup(c, at));
            }
            // the category topic carries the authority of both new categories, same transaction
            send(CATEGORY_TOPIC, c.from, builder.category(c.from).insert(Tables.CATEGORIES,
                    Events.category(c.from, c.name + " from")).envelopes(at));
            send(CATEGORY_TOPIC, c.to, builder.category(c.to).insert(Tables.CATEGORIES,
                    Events.category(c.to, c.name + " to")).envelopes(at));
            recorded(c, at, 1, true);
        }

        private void rename(Concept c) {
            long at = lsn.addAndGet(0x100);
            int version = c.version.get() + 1;
            Map<String, Object> before = Events.concept(c.id, "replicas-it", c.name + " v" + (version - 1), "PUBLIC");
            Map<String, Object> after = Events.with(Events.with(before, "name", c.name + " v" + version), "version",
                    version);
            send(CONCEPT_TOPIC, c.id, builder.concept(c.id).update(Tables.CONCEPTS, before, after).envelopes(at));
            recorded(c, at, version, false);
        }

        private void recorded(Concept c, long at, int version, boolean created) {
            c.version.set(version);
            c.history.put(at, new Write(at, version, c.name + " v" + version));
            if (created) {
                concepts.put(c.id, c);
                list.add(c);
            }
            recent.add(new Object[] {c, at, created});
            if (recent.size() > 200) {
                recent.remove(0);
            }
            lastSent = at;
            writes.incrementAndGet();
        }

        /** Stops the writer after sending the first half of a new concept's create group; returns the whole group. */
        List<ChangeEnvelope> pauseWithHalfAGroup(String id) {
            synchronized (lock) {
                paused = true;
                Concept c = new Concept(id, "Split");
                long at = lsn.get() + 0x100; // the LSN create() takes when the rest is sent
                List<ChangeEnvelope> group = createGroup(c, at);
                send(CONCEPT_TOPIC, id, group.subList(0, group.size() / 2));
                producer.flush();
                splitConcept = c;
                return group;
            }
        }

        private Concept splitConcept;

        void resumeWithTheRest(String id, List<ChangeEnvelope> group) {
            synchronized (lock) {
                send(CONCEPT_TOPIC, id, group.subList(group.size() / 2, group.size()));
                create(splitConcept, true);
                paused = false;
            }
        }

        void watermarks() {
            synchronized (lock) {
                long mark = lsn.get();
                Instant now = Instant.now();
                String json = json(ChangeEnvelope.watermark(mark, 1, now, now));
                for (String topic : List.of(CONCEPT_TOPIC, CATEGORY_TOPIC)) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        producer.send(new ProducerRecord<>(topic, p, null, json));
                    }
                }
                producer.flush();
            }
        }

        long finalWatermark() {
            watermarks();
            return lsn.get();
        }

        private void send(String topic, String key, List<ChangeEnvelope> envelopes) {
            for (ChangeEnvelope e : envelopes) {
                producer.send(new ProducerRecord<>(topic, key, json(e)));
            }
        }

        private static String json(ChangeEnvelope e) {
            try {
                return JSON.writeValueAsString(e);
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }

        void stop() {
            running.set(false);
        }

        @Override
        public void close() {
            producer.close();
            builder.close();
        }
    }

    // ---- the readers ---------------------------------------------------------------------------------------

    /** Token reads, spread over the replicas in {@link #route}; what they saw, judged against the stream. */
    static final class Readers {
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger crossReplica = new AtomicInteger();
        final AtomicInteger behind = new AtomicInteger();
        final AtomicInteger tolerated = new AtomicInteger();
        final List<String> stale = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private volatile List<Replica> targets = List.of(a, b);
        /** [from, until) of each unhealthy stretch: a read that started inside may be a 504 (counted, tolerated). */
        private final List<Instant[]> unhealthy = new CopyOnWriteArrayList<>();
        private volatile Replica down;
        private volatile Instant downAt = Instant.MAX;

        void start() {
            for (int i = 0; i < READERS; i++) {
                threads.add(Thread.ofPlatform().name("replicas-reader-" + i).start(this::loop));
            }
        }

        void target(List<Replica> replicas) {
            targets = List.copyOf(replicas);
        }

        void unhealthyFrom(Instant from) {
            unhealthy.add(new Instant[] {from, Instant.MAX});
        }

        void healthySince(Instant since) {
            unhealthy.getLast()[1] = since;
        }

        /** A replica killed at this instant: what was in flight to it fails (tolerated). */
        void down(Replica replica, Instant at) {
            down = replica;
            downAt = at;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        String summary() {
            return answered.get() + " token reads answered (" + crossReplica.get() + " by the other replica), "
                    + behind.get() + " 504s, " + tolerated.get() + " failed reads tolerated (warm-up, kill, rejoin), "
                    + stale.size() + " stale, " + failures.size() + " failures";
        }

        private void loop() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (running.get()) {
                List<Object[]> recent = stream.recent;
                if (recent.size() < 5) {
                    sleep(Duration.ofMillis(20));
                    continue;
                }
                Object[] w = recent.get(recent.size() - 1 - random.nextInt(Math.min(5, recent.size())));
                Concept c = (Concept) w[0];
                long lsn = (Long) w[1];
                List<Replica> replicas = targets;
                Replica target = replicas.get(Math.floorMod(next.getAndIncrement(), replicas.size()));
                int kind = random.nextInt(3);
                Instant started = Instant.now();
                try {
                    if (kind == 0) {
                        conceptRead(target, c, lsn);
                    } else if (kind == 1) {
                        // another concept, with the newest write's token: covered only by the low watermark
                        Concept other = stream.list.get(random.nextInt(stream.list.size()));
                        conceptRead(target, other, stream.lastLsn());
                    } else {
                        pathRead(target, c);
                    }
                } catch (Failure f) {
                    failed(started, target, f.getMessage(), f.behind);
                } catch (IOException e) {
                    failed(started, target, e.toString(), false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void failed(Instant started, Replica target, String what, boolean is504) {
            if (is504) {
                behind.incrementAndGet();
            }
            boolean inUnhealthy = unhealthy.stream().anyMatch(w -> !started.isBefore(w[0]) && started.isBefore(w[1]));
            boolean toTheDead = target == down && !Instant.now().isBefore(downAt);
            if (inUnhealthy || toTheDead) {
                tolerated.incrementAndGet();
            } else {
                failures.add(Instant.now() + " " + target.name + ": " + what);
            }
        }

        private void conceptRead(Replica target, Concept c, long token) throws IOException, InterruptedException {
            HttpResponse<String> response = target.get("/api/graph/concepts/" + c.id, token);
            int required = c.requiredVersion(token);
            if (response.statusCode() == 404 && required == 0) {
                answered.incrementAndGet();
                return;
            }
            JsonNode body = check(response, target, "concept " + c.id + " @" + Lsn.format(token));
            long applied = Lsn.parse(body.path("appliedLsn").asText());
            String name = body.path("name").asText();
            int version = Integer.parseInt(name.substring(name.lastIndexOf('v') + 1));
            if (version < required) {
                stale.add(target.name + ": concept " + c.id + " with token " + Lsn.format(token) + " answered " + name
                        + " @" + Lsn.format(applied) + ", produced v" + required + " at or before the token");
            }
            counted(target, c, token);
        }

        private void pathRead(Replica target, Concept c) throws IOException, InterruptedException {
            long created = c.history.firstKey();
            HttpResponse<String> response = target.get("/api/graph/paths?from=" + c.from + "&to=" + c.to, created);
            if (response.statusCode() == 404) {
                stale.add(target.name + ": no path " + c.name + " with the token of its relation "
                        + Lsn.format(created));
                return;
            }
            JsonNode body = check(response, target, "path of " + c.id + " @" + Lsn.format(created));
            if (body.path("length").asInt() != 1) {
                stale.add(target.name + ": path of " + c.name + " has length " + body.path("length").asInt());
            }
            counted(target, c, created);
        }

        private void counted(Replica target, Concept c, long token) {
            answered.incrementAndGet();
            // the replica owning the concept's partition applied it; the other one read the store
            int partition = Utils.toPositive(Utils.murmur2(c.id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            if (!target.ownsCached(CONCEPT_TOPIC, partition)) {
                crossReplica.incrementAndGet();
            }
        }

        private static JsonNode check(HttpResponse<String> response, Replica target, String what) throws IOException {
            if (response.statusCode() != 200) {
                throw new Failure(what + " answered " + response.statusCode() + " " + response.body(),
                        response.statusCode() == 504);
            }
            return JSON.readTree(response.body());
        }
    }

    static final class Failure extends IOException {
        final boolean behind;

        Failure(String message, boolean behind) {
            super(message);
            this.behind = behind;
        }
    }

    // ---- a replica: the packaged app as its own JVM -----------------------------------------------------------

    static final class Replica implements AutoCloseable {
        final String name;
        final Path app;
        final Map<String, String> env;
        final int port;
        final Path log;
        private volatile Process process;
        private volatile JsonNode lastDetails = JSON.createObjectNode();

        Replica(String name, Path app, Map<String, String> env) throws IOException {
            this.name = name;
            this.app = app;
            this.env = env;
            this.port = freePort();
            this.log = DIR.resolve(name + ".log");
        }

        void launch() throws IOException {
            Files.writeString(log, "\n===== " + Instant.now() + " starting " + name + " =====\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-Ddialectica.process=" + name + "-" + RUN,
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-jar", app.resolve("quarkus-run.jar").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("HOSTNAME", name);
            process = builder.start();
        }

        void awaitReady(Duration timeout) throws Exception {
            awaitTrue(timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                }
                return details() != null && lastDetails.path("state").asText().equals("RUNNING");
            }, () -> name + " ready; see " + log);
        }

        boolean alive() {
            Process p = process;
            return p != null && p.isAlive();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }

        HttpResponse<String> get(String path, long token) throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + TOKEN).header(ConsistencyToken.HEADER, Lsn.format(token))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        /** The graph-projection readiness details, or null when the replica does not answer. */
        JsonNode details() {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                for (JsonNode check : JSON.readTree(response.body()).path("checks")) {
                    if ("graph-projection".equals(check.path("name").asText())) {
                        lastDetails = check.path("data");
                        return lastDetails;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        int assigned() {
            JsonNode d = details();
            return d == null ? -1 : d.path("partitionsAssigned").asInt(-1);
        }

        long lowWatermark() {
            JsonNode d = details();
            return d == null ? -1 : d.path("lowWatermarkLsn").asLong(-1);
        }

        boolean owns(String topic, int partition) {
            JsonNode d = details();
            return d != null && d.has("position:" + topic + "-" + partition);
        }

        /** From the last details fetched (the readers do not ask for each read). */
        boolean ownsCached(String topic, int partition) {
            return lastDetails.has("position:" + topic + "-" + partition);
        }

        double metric(String metric) {
            try {
                String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                double sum = 0;
                for (String line : body.split("\n")) {
                    if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
                        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
                return sum;
            } catch (IOException e) {
                return Double.NaN;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
        }

        @Override
        public void close() throws InterruptedException {
            Process p = process;
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /** Waits, asking the live replicas for their details (which partitions they own) every half second. */
    static void watch(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            for (Replica r : new Replica[] {a, b}) {
                if (r.alive()) {
                    r.details();
                }
            }
            sleep(Duration.ofMillis(500));
        }
    }

    /** A private copy of target/quarkus-app: a build during the run must not rewrite the jars under the JVMs. */
    static Path copyApp() throws IOException {
        Path from = Path.of("target", "quarkus-app");
        if (!Files.exists(from.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(from.toAbsolutePath() + " is missing: this test runs after package");
        }
        Path to = DIR.resolve("app-" + RUN);
        try (var files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return to;
    }

    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(20000, 32000);
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (IOException inUse) {
                // another
            }
        }
        throw new IOException("no free port");
    }

    static void awaitTrue(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what.get());
            }
            sleep(Duration.ofMillis(100));
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void log(Instant t0, String message) {
        System.out.printf("[graph-replicas +%5.1fs] %s%n", Duration.between(t0, Instant.now()).toMillis() / 1000.0,
                message);
    }
}
