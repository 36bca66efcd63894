package io.dialectica.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.search.progress.ProgressDocs;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static io.dialectica.search.ChangeStream.CONCEPTS;
import static io.dialectica.search.ChangeStream.concept;
import static io.dialectica.search.ChangeStream.id;
import static io.dialectica.search.ChangeStream.insert;
import static io.dialectica.search.ChangeStream.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged search-service replicas ({@code target/quarkus-app}, each its own JVM) in one consumer group, against
 * the real Kafka, OpenSearch and Redis: each projects its share of the partitions, and token reads sent to both
 * alternately — so half of them reach the replica that did <i>not</i> apply the write — are never stale and never
 * 504 while both are healthy. Then one replica is killed (SIGKILL) mid-stream: the other takes over its partitions,
 * token reads answer again, and every concept ends in its last written state (the index compared with what was
 * produced, document by document).
 */
class ReplicasIT {

    static final Duration HEALTHY_PHASE = Duration.ofSeconds(12);
    static final Duration FAILOVER_PHASE = Duration.ofSeconds(10);
    static final Duration AFTER_PHASE = Duration.ofSeconds(5);
    static final int WORKERS = 3;
    static final String ADMIN = TestJwt.admin("replicas-it");

    static final SearchTestStack stack = new SearchTestStack();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Path logs = Path.of("target", "replicas-it");
    static ChangeStream stream;
    static Replica a;
    static Replica b;

    /** What was produced last for each concept: its name and commit LSN. */
    record Expected(String tag, String name, long version, long lsn) {
    }

    static final Map<String, Expected> expected = new ConcurrentHashMap<>();
    /** Serialises "take an LSN, send the groups and the watermarks": watermarks must follow the groups they pass. */
    static final Object sendLock = new Object();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> config = new HashMap<>(stack.start());
        config.putAll(new JwtTestResource().start());
        config.put("quarkus.http.host", "127.0.0.1");
        // longer than production's 2 s (as GraphReplicasIT): on a 2-core CI machine running the whole suite a
        // healthy replica can take over 2 s; tested is that every token read is answered and never stale
        config.put("dialectica.search.consistency-wait", "8s");
        // a killed replica's partitions move after the session timeout
        config.put("dialectica.search.kafka.consumer.\"session.timeout.ms\"", "6000");
        config.put("dialectica.search.kafka.consumer.\"heartbeat.interval.ms\"", "1500");
        Files.createDirectories(logs);
        stream = new ChangeStream();
        a = Replica.start("replica-a", config);
        b = Replica.start("replica-b", config);
        a.awaitReady(Duration.ofSeconds(90));
        b.awaitReady(Duration.ofSeconds(90));
        int total = 2 * SearchTestStack.PARTITIONS;
        awaitTrue(Duration.ofSeconds(60), () -> a.assigned() > 0 && b.assigned() > 0 && a.assigned() + b.assigned() == total,
                "both replicas own partitions (a=" + a.assigned() + ", b=" + b.assigned() + ")");
    }

    @AfterAll
    static void stop() throws Exception {
        for (Replica replica : new Replica[] {a, b}) {
            if (replica != null) {
                replica.close();
            }
        }
        if (stream != null) {
            stream.close();
        }
        stack.stop();
    }

    @Test
    void tokenReadsOnEitherReplicaAreNeverStaleAndTheSurvivorTakesOver() throws Exception {
        // 1. both healthy: reads alternate between the replicas
        Phase healthy = run(HEALTHY_PHASE, List.of(a, b));
        System.out.printf("healthy: %s%n", healthy);
        assertTrue(healthy.reads.get() >= 30, "enough token reads: " + healthy);
        assertEquals(List.of(), healthy.stale, "no stale answer");
        assertEquals(0, healthy.behind.get(), "no 504 while both replicas are healthy: " + healthy);
        assertEquals(List.of(), healthy.errors, "no other error");
        assertTrue(healthy.crossReplica.get() > 0, "reads answered by the replica that did not apply the write");

        // 2. kill -9 one replica mid-stream; reads go to the survivor (504s allowed until it owns the partitions)
        Phase failover;
        try (ExecutorService killer = Executors.newSingleThreadExecutor()) {
            Future<?> kill = killer.submit(() -> {
                sleep(Duration.ofSeconds(2));
                a.kill();
                return null;
            });
            failover = run(FAILOVER_PHASE, List.of(b));
            kill.get();
        }
        System.out.printf("failover: %s%n", failover);
        assertEquals(List.of(), failover.stale, "no stale answer during the failover");
        assertEquals(List.of(), failover.errors, "no other error during the failover");
        awaitTrue(Duration.ofSeconds(60), () -> b.assigned() == 2 * SearchTestStack.PARTITIONS,
                "the survivor owns every partition");

        // 3. the survivor alone: healthy again
        Phase after = run(AFTER_PHASE, List.of(b));
        System.out.printf("after: %s%n", after);
        assertEquals(List.of(), after.stale);
        assertEquals(0, after.behind.get(), "no 504 once the survivor owns every partition: " + after);
        assertEquals(List.of(), after.errors);

        // 4. convergence: every concept in its last produced state, and the index's positions past the last write
        long last = ChangeStream.nextLsn();
        stream.watermarks(last);
        awaitTrue(Duration.ofSeconds(30), () -> indexLow() >= last, "the index's positions reach the last watermark");
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            JsonNode doc = OpenSearchDocs.concept(e.getKey());
            Expected want = e.getValue();
            if (!doc.path("found").asBoolean()) {
                differences.add(e.getKey() + " missing");
            } else if (!want.name().equals(doc.path("_source").path("name").asText())
                    || doc.path("_version").asLong() != want.lsn()
                    || doc.path("_source").path("conceptVersion").asLong() != want.version()) {
                differences.add(e.getKey() + ": index has " + doc.path("_source").path("name").asText() + " v"
                        + doc.path("_source").path("conceptVersion").asLong() + " @" + doc.path("_version").asLong()
                        + ", produced " + want);
            }
        }
        assertEquals(List.of(), differences, "converged (" + expected.size() + " concepts)");
        System.out.println(stages(b));
    }

    /** Where a token read's time went on a replica: its stage timers (count, mean, p50, p99 from the buckets). */
    static String stages(Replica replica) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(replica.baseUrl() + "/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        StringBuilder out = new StringBuilder("stages on " + replica.name + " (ms: count / mean / p50 / p99)\n");
        for (String[] timer : new String[][] {
                {"dialectica_search_apply_latency_seconds", ""},
                {"dialectica_search_bulk_duration_seconds", ""},
                {"dialectica_search_progress_write_seconds", ""},
                {"dialectica_search_refresh_seconds", "origin=\"projector\""},
                {"dialectica_search_refresh_seconds", "origin=\"reader\""},
                {"dialectica_search_token_applied_wait_seconds", ""},
                {"dialectica_search_token_query_seconds", ""},
                {"dialectica_search_token_read_seconds", "outcome=\"answered\""},
                {"dialectica_search_freshness_seconds", ""}}) {
            List<double[]> buckets = new ArrayList<>();
            double sum = 0;
            double count = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("#") || !line.contains(timer[1])) {
                    continue;
                }
                String value = line.substring(line.lastIndexOf(' ') + 1);
                if (line.startsWith(timer[0] + "_bucket{")) {
                    String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
                    buckets.add(new double[] {le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
                            Double.parseDouble(value)});
                } else if (line.startsWith(timer[0] + "_sum")) {
                    sum = Double.parseDouble(value);
                } else if (line.startsWith(timer[0] + "_count")) {
                    count = Double.parseDouble(value);
                }
            }
            buckets.sort((x, y) -> Double.compare(x[0], y[0]));
            out.append(String.format("  %-45s %-22s %6.0f / %7.1f / %7.1f / %7.1f%n", timer[0], timer[1], count,
                    count == 0 ? 0 : 1000 * sum / count, 1000 * quantile(buckets, count, 0.5),
                    1000 * quantile(buckets, count, 0.99)));
        }
        return out.toString();
    }

    /** Upper bound of the bucket holding the quantile. */
    static double quantile(List<double[]> buckets, double count, double q) {
        for (double[] bucket : buckets) {
            if (bucket[1] >= q * count && count > 0) {
                return bucket[0];
            }
        }
        return Double.NaN;
    }

    // ------------------------------------------------------------------------------------------------

    /** What a phase saw. */
    static final class Phase {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger behind = new AtomicInteger();
        final AtomicInteger crossReplica = new AtomicInteger();
        final List<String> stale = Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String toString() {
            List<Long> sorted;
            synchronized (latencies) {
                sorted = new ArrayList<>(latencies);
            }
            sorted.sort(null);
            String p50 = sorted.isEmpty() ? "-" : sorted.get(sorted.size() / 2) + " ms";
            String p99 = sorted.isEmpty() ? "-" : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) + " ms";
            return "writes=" + writes + " reads=" + reads + " answered-by-the-other-replica=" + crossReplica
                    + " 504=" + behind + " stale=" + stale.size() + " errors=" + errors.size() + " p50=" + p50
                    + " p99=" + p99 + (errors.isEmpty() ? "" : " first error: " + errors.get(0));
        }
    }

    /** {@link #WORKERS} loops of: write (a new concept, or a rename of one of its own), then a token read of it. */
    static Phase run(Duration duration, List<Replica> targets) throws Exception {
        Phase phase = new Phase();
        long end = System.nanoTime() + duration.toNanos();
        AtomicInteger turn = new AtomicInteger();
        try (ExecutorService workers = Executors.newFixedThreadPool(WORKERS)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                futures.add(workers.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    while (System.nanoTime() < end) {
                        Written written = write(mine);
                        phase.writes.incrementAndGet();
                        Replica target = targets.get(turn.getAndIncrement() % targets.size());
                        read(phase, target, written);
                        sleep(Duration.ofMillis(ThreadLocalRandom.current().nextInt(20, 60)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        }
        return phase;
    }

    record Written(String conceptId, Expected state) {
    }

    static Written write(List<String> mine) {
        boolean rename = !mine.isEmpty() && ThreadLocalRandom.current().nextInt(10) < 4;
        String conceptId = rename ? mine.get(ThreadLocalRandom.current().nextInt(mine.size())) : id();
        synchronized (sendLock) {
            ChangeStream.Tx tx = stream.tx();
            Expected before = expected.get(conceptId);
            Expected next;
            if (before == null) {
                String tag = "rit" + SearchTestStack.RUN + "x" + Long.toString(tx.lsn(), 36);
                next = new Expected(tag, "Replica " + tag + " one", 1, tx.lsn());
                tx.concept(conceptId, insert(CONCEPTS, concept(conceptId, "ivy", next.name(), "written for ReplicasIT",
                        "Replicas", "PUBLIC", 1)));
            } else {
                next = new Expected(before.tag(), "Replica " + before.tag() + " v" + (before.version() + 1),
                        before.version() + 1, tx.lsn());
                tx.concept(conceptId, update(CONCEPTS, null, concept(conceptId, "ivy", next.name(),
                        "written for ReplicasIT", "Replicas", "PUBLIC", next.version())));
            }
            tx.send();
            expected.put(conceptId, next);
            if (before == null) {
                mine.add(conceptId);
            }
            return new Written(conceptId, next);
        }
    }

    /** A token read of the write, as concept-service's token would be: at or before the commit LSN. */
    static void read(Phase phase, Replica target, Written written) {
        long started = System.nanoTime();
        String token = ChangeStream.token(written.state().lsn() - 200);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(target.baseUrl()
                    + "/api/search?q=" + URLEncoder.encode(written.state().tag(), StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + ADMIN).header("X-Consistency-Token", token)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            phase.reads.incrementAndGet();
            if (response.statusCode() == 504) {
                phase.behind.incrementAndGet();
                return;
            }
            if (response.statusCode() != 200) {
                phase.errors.add(target.name + " HTTP " + response.statusCode() + " " + response.body());
                return;
            }
            phase.latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            JsonNode items = ChangeStream.JSON.readTree(response.body()).path("items");
            String found = null;
            for (JsonNode item : items) {
                if (written.conceptId().equals(item.path("id").asText())) {
                    found = item.path("name").asText();
                }
            }
            if (!written.state().name().equals(found)) {
                phase.stale.add(target.name + " answered " + found + " for " + written.state() + " (token " + token + ")");
            } else if (!target.applies(written.conceptId())) {
                phase.crossReplica.incrementAndGet();
            }
        } catch (Exception e) {
            phase.errors.add(target.name + ": " + e);
        }
    }

    /** The low watermark the index's progress documents prove (realtime reads). */
    static long indexLow() {
        List<ProgressDocs.Position> positions = new ArrayList<>();
        for (String topic : List.of(SearchTestStack.CONCEPT_TOPIC, SearchTestStack.CATEGORY_TOPIC)) {
            for (int p = 0; p < SearchTestStack.PARTITIONS; p++) {
                JsonNode doc = OpenSearchDocs.concept(ProgressDocs.id(topic, p));
                if (doc.path("found").asBoolean()) {
                    positions.add(new ProgressDocs.Position(topic, p, doc.path("_source").path("partitions").asInt(),
                            doc.path("_source").path("position").asLong()));
                }
            }
        }
        return ProgressDocs.low(positions, List.of(SearchTestStack.CONCEPT_TOPIC, SearchTestStack.CATEGORY_TOPIC),
                Map.of());
    }

    static void awaitTrue(Duration timeout, Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not within " + timeout + ": " + what);
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One packaged search-service as its own JVM, configured by system properties. */
    static final class Replica implements AutoCloseable {
        final String name;
        final int port;
        final Process process;
        final Path log;
        final AtomicReference<JsonNode> lastHealth = new AtomicReference<>();

        private Replica(String name, int port, Process process, Path log) {
            this.name = name;
            this.port = port;
            this.process = process;
            this.log = log;
        }

        static Replica start(String name, Map<String, String> config) throws IOException {
            Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar.toAbsolutePath() + " is missing: the package phase builds it");
            }
            int port = freePort();
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, "-Xmx192m", "-XX:TieredStopAtLevel=1",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED"));
            config.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-Dquarkus.http.port=" + port);
            command.add("-jar");
            command.add(jar.toString());
            Path log = logs.resolve(name + ".log");
            Files.writeString(log, "===== " + Instant.now() + " " + String.join(" ", command) + "\n");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new Replica(name, port, process, log);
        }

        String baseUrl() {
            return "http://127.0.0.1:" + port;
        }

        void awaitReady(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                }
                if (health() != null) {
                    return;
                }
                Thread.sleep(250);
            }
            throw new IllegalStateException(name + " not ready after " + timeout + "; see " + log);
        }

        /** The search-projection check's data when ready, else null. */
        JsonNode health() {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return null;
                }
                for (JsonNode check : ChangeStream.JSON.readTree(response.body()).path("checks")) {
                    if ("search-projection".equals(check.path("name").asText())) {
                        lastHealth.set(check.path("data"));
                        return check.path("data");
                    }
                }
                return null;
            } catch (Exception e) {
                return null;
            }
        }

        int assigned() {
            JsonNode data = process.isAlive() ? health() : null;
            return data == null ? 0 : data.path("assignedPartitions").asInt();
        }

        /** Whether this replica projects the concept's partition (from its last health answer). */
        boolean applies(String conceptId) {
            JsonNode data = lastHealth.get();
            if (data == null) {
                return true;
            }
            String positions = data.path("positions " + SearchTestStack.CONCEPT_TOPIC).asText("");
            int partition = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                    conceptId.getBytes(StandardCharsets.UTF_8))) % SearchTestStack.PARTITIONS;
            return positions.contains(partition + "=");
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
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
            throw new IOException("no free port in 20000-32000");
        }
    }
}
