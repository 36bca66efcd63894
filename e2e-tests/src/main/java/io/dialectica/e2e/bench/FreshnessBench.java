package io.dialectica.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.ConvergenceReport;
import io.dialectica.e2e.convergence.Neo4jProjection;
import io.dialectica.e2e.convergence.PostgresTruth;
import io.dialectica.e2e.convergence.SearchProjection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./dialectica bench freshness}: how long after its commit a write is visible in Neo4j (graph-service)
 * and in the search index (search-service), at fixed open-loop write rates, against the capture floor
 * (commit → received by the cdc-connector) of the same run; then the projectors' sustained throughput for a
 * bulk load. See docs/benchmarks.md for the method; settings are environment variables (see {@link Settings}).
 */
public final class FreshnessBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TARGET_CONCEPTS = 200;
    private static final int CATEGORIES_PER_CONCEPT = 4;
    /**
     * Generous: a client that gives up closes its connection in the middle of the server's transaction, which is
     * not what is measured here (and concept-service does not survive many of those: see docs/benchmarks.md).
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Settings settings;
    /** The stack's processes, for the CPU per event and where the machine's time goes. */
    private final ProcessCpu processes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String benchUser;
    private final String word = "benchfresh" + UUID.randomUUID().toString().substring(0, 6).replaceAll("[0-9]", "q");
    private final List<String[]> targets = new ArrayList<>();   // {conceptId, categoryId}
    private final Set<String> conceptIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger readTurn = new AtomicInteger();
    /** conceptId:version → commit time of the source transaction, from the change topic. */
    private final Map<String, Instant> commits = new ConcurrentHashMap<>();
    /** commit time → capture floor (capturedAt − commitTime) in ms, per change group of a bench concept. */
    private final Map<Instant, Double> floors = new ConcurrentHashMap<>();
    private final AtomicBoolean stopWatcher = new AtomicBoolean();
    /** null when the writes go through concept-service's API. */
    private final SqlWriter sqlWriter;
    /** Where a change's time goes, from the services' histograms (one set of stages for the whole run). */
    private final StageLatencies stages;

    record Settings(String conceptUrl, String graphUrl, String searchUrl, String cdcUrl, String kafka, String topic,
                    String jdbcUrl, String dbUser, String dbPassword, String bolt, String openSearch, String alias,
                    String token, List<Integer> rates, Duration duration, Duration warmup, int bulkEvents, Path root,
                    boolean record, boolean writeThroughApi, int sqlWriters, int samplesPerSecond,
                    Duration settleMax, double quietBusyPercent) {

        static Settings fromEnvironment() {
            List<Integer> rates = new ArrayList<>();
            for (String r : env("BENCH_RATES", "100,500,1000").split(",")) {
                rates.add(Integer.parseInt(r.trim()));
            }
            String token = System.getenv("BENCH_TOKEN");
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("BENCH_TOKEN is required (TOKEN=$(./dialectica token bench))");
            }
            return new Settings(env("CONCEPT_URL", "http://127.0.0.1:8081"), env("GRAPH_URL", "http://127.0.0.1:8082"),
                    env("SEARCH_URL", "http://127.0.0.1:8083"), env("CDC_URL", "http://127.0.0.1:8086"),
                    env("KAFKA", "127.0.0.1:19092"), env("BENCH_TOPIC", "dialectica.concept-changes"),
                    env("JDBC_URL", "jdbc:postgresql://127.0.0.1:15432/concepts"), env("DB_USER", "dialectica"),
                    env("DB_PASSWORD", "dialectica"), env("NEO4J_BOLT", "bolt://127.0.0.1:17687"),
                    env("OPENSEARCH_URL", "http://127.0.0.1:19200"), env("SEARCH_ALIAS", "dialectica-concepts"), token,
                    rates, Duration.ofSeconds(Long.parseLong(env("BENCH_SECONDS", "20"))),
                    Duration.ofSeconds(Long.parseLong(env("BENCH_WARMUP_SECONDS", "5"))),
                    Integer.parseInt(env("BENCH_BULK_EVENTS", "30000")), Path.of(env("DIALECTICA_ROOT", ".")),
                    !"0".equals(env("BENCH_RECORD", "1")), "api".equals(env("BENCH_WRITES", "sql")),
                    Integer.parseInt(env("BENCH_SQL_WRITERS", "16")),
                    // each sample is two reads that wait server-side: a probe, kept light next to the load itself
                    Integer.parseInt(env("BENCH_SAMPLES_PER_SECOND", "20")),
                    // before each rate: the stack caught up and quiet (Quiescence), for at most this long
                    Duration.ofSeconds(Long.parseLong(env("BENCH_SETTLE_MAX_SECONDS", "90"))),
                    Double.parseDouble(env("BENCH_QUIET_BUSY_PERCENT", "50")));
        }
    }

    /** One rate's measurements. */
    static final class Phase {
        final int rate;
        final Stats write = new Stats();
        final Stats graph = new Stats();
        final Stats search = new Stats();
        final Stats floor = new Stats();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger graphTimeouts = new AtomicInteger();
        final AtomicInteger searchTimeouts = new AtomicInteger();
        final AtomicInteger unmatched = new AtomicInteger();
        final List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        Instant start;
        Instant end;
        double seconds;
        /** The projectors' CPU and events applied over the measured part (ProcessCpu, /q/metrics). */
        Cost cost;
        /** p50 / p99 of each stage over the measured part ({@link StageLatencies}). */
        List<String> stageCells = List.of();
        /** Where the machine's time went over the measured part ({@link ProcessCpu#loadRows}). */
        List<String> loadRows = List.of();

        Phase(int rate) {
            this.rate = rate;
        }

        double achieved() {
            return ok.get() / seconds;
        }

        boolean sustained() {
            return achieved() >= 0.95 * rate && failed.get() <= sent.get() / 100 && graphTimeouts.get() == 0
                    && searchTimeouts.get() == 0;
        }
    }

    /** CPU milliseconds of each process and events applied by each projector between two points. */
    record Cost(Map<String, Double> cpuBefore, Map<String, Double> cpuAfter, double graphEvents, double searchEvents) {

        String row(String label) {
            return String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %.0f | %s | %s |%n", label,
                    graphEvents, ProcessCpu.perEvent(cpuBefore, cpuAfter, "graph-service", graphEvents),
                    ProcessCpu.perEvent(cpuBefore, cpuAfter, "neo4j", graphEvents),
                    searchEvents, ProcessCpu.perEvent(cpuBefore, cpuAfter, "search-service", searchEvents),
                    ProcessCpu.perEvent(cpuBefore, cpuAfter, "opensearch", searchEvents));
        }
    }

    private static final List<String> PROJECTION_PROCESSES = List.of("graph-service", "neo4j", "search-service", "opensearch");
    private static final String GRAPH_APPLIED = "dialectica_graph_events_applied_total";
    private static final String SEARCH_APPLIED = "dialectica_search_events_applied_total";

    /** Starts measuring the projectors' cost; the returned function ends it. */
    private java.util.function.Supplier<Cost> costFrom() {
        Map<String, Double> before = processes.snapshot(PROJECTION_PROCESSES);
        double graph0 = metric(graphUrls(), GRAPH_APPLIED);
        double search0 = metric(searchUrls(), SEARCH_APPLIED);
        return () -> new Cost(before, processes.snapshot(PROJECTION_PROCESSES),
                metric(graphUrls(), GRAPH_APPLIED) - graph0, metric(searchUrls(), SEARCH_APPLIED) - search0);
    }

    /** The stages of a change's way, each from its service's own histogram (measured from the source commit). */
    private StageLatencies stageLatencies() {
        List<String> cdc = List.of(settings.cdcUrl());
        return new StageLatencies(List.of(
                new StageLatencies.Stage("captured by cdc-connector", cdc, "dialectica_cdc_capture_latency_seconds"),
                new StageLatencies.Stage("acknowledged by Kafka", cdc, "dialectica_cdc_publish_latency_seconds"),
                new StageLatencies.Stage("applied in Neo4j", graphUrls(), "dialectica_graph_apply_latency_seconds"),
                new StageLatencies.Stage("applied in the index", searchUrls(), "dialectica_search_apply_latency_seconds"),
                new StageLatencies.Stage("searchable (projector's refresh)", searchUrls(), "dialectica_search_freshness_seconds")),
                this::metricsBody);
    }

    static final class Sample {
        final String conceptId;
        volatile long version;
        volatile Instant written;
        volatile Instant graphVisible;
        volatile Instant searchVisible;
        volatile int graphStatus;
        volatile int searchStatus;

        Sample(String conceptId) {
            this.conceptId = conceptId;
        }
    }

    private FreshnessBench(Settings settings) {
        this.settings = settings;
        this.processes = new ProcessCpu(settings.root());
        this.benchUser = subject(settings.token());
        this.sqlWriter = settings.writeThroughApi() ? null
                : new SqlWriter(settings.jdbcUrl(), settings.dbUser(), settings.dbPassword(), settings.sqlWriters());
        this.stages = stageLatencies();
    }

    public static void main(String[] args) throws Exception {
        FreshnessBench bench = new FreshnessBench(Settings.fromEnvironment());
        System.exit(bench.run());
    }

    private int run() throws Exception {
        for (String[] service : new String[][] {{"concept-service", settings.conceptUrl()}, {"graph-service", settings.graphUrl()},
                {"search-service", settings.searchUrl()}, {"cdc-connector", settings.cdcUrl()}}) {
            if (status(get(service[1] + "/q/health/ready", Map.of())) != 200) {
                throw new IllegalStateException(service[0] + " at " + service[1] + " is not ready: run ./dialectica up");
            }
        }
        String machine = machine();
        say("machine: " + machine);
        say("writes: " + writesDescription());
        say("user " + benchUser + ", rates " + settings.rates() + " changes/s, " + settings.warmup().toSeconds() + " s warm-up + "
                + settings.duration().toSeconds() + " s each; bulk " + settings.bulkEvents() + " events");
        createTargets();
        Thread watcher = Thread.ofPlatform().name("topic-watcher").start(this::watchTopic);
        Thread.sleep(1500);  // the watcher is at the end of every partition before the first measured write

        List<Phase> phases = new ArrayList<>();
        Quiescence quiescence = new Quiescence(settings.kafka(), settings.settleMax(), settings.quietBusyPercent());
        for (int rate : settings.rates()) {
            // the setup's burst (and the previous rate's backlog) absorbed first: the figures are the rate's own
            say("before " + rate + "/s: " + quiescence.await());
            Phase warm = new Phase(rate);
            drive(warm, settings.warmup(), false);
            Phase phase = new Phase(rate);
            var cost = costFrom();
            var stagesBefore = stages.snapshot();
            ProcessCpu.Load loadBefore = processes.load();
            long measuredFrom = System.nanoTime();
            drive(phase, settings.duration(), true);
            phase.loadRows = ProcessCpu.loadRows(loadBefore, processes.load(), (System.nanoTime() - measuredFrom) / 1e9);
            phase.cost = cost.get();
            phase.stageCells = stages.cells(stagesBefore, stages.snapshot());
            settle(phase);
            phases.add(phase);
            say(String.format(Locale.ROOT, "rate %d/s: achieved %.0f/s, graph p99 %s ms, search p99 %s ms, floor p99 %s ms, 504s %d/%d",
                    rate, phase.achieved(), Stats.ms(phase.graph.percentile(99)), Stats.ms(phase.search.percentile(99)),
                    Stats.ms(phase.floor.percentile(99)), phase.graphTimeouts.get(), phase.searchTimeouts.get()));
        }
        stopWatcher.set(true);
        watcher.join(5000);
        if (sqlWriter != null) {
            sqlWriter.close();
        }

        Bulk bulk = bulkLoad();
        String convergence = converge();

        String table = table(phases, bulk, convergence, machine);
        System.out.println();
        System.out.println(table);
        if (settings.record()) {
            Files.writeString(settings.root().resolve("docs/benchmarks.md"), "\n" + table + "\n", StandardOpenOption.APPEND);
        }
        cleanUp();
        Phase best = null;
        for (Phase phase : phases) {
            if (phase.sustained() && (best == null || phase.rate > best.rate)) {
                best = phase;
            }
        }
        if (best == null) {
            // no rate sustained: still a figure, the lowest rate's, so a reader sees how far off it is
            Phase lowest = phases.stream().min(java.util.Comparator.comparingInt(p -> p.rate)).orElse(null);
            System.out.println(lowest == null ? "freshness p99_ms=- rate=0"
                    : String.format(Locale.ROOT, "freshness p99_ms=%.0f rate=0 at=%d",
                            Math.max(lowest.graph.percentile(99), lowest.search.percentile(99)), lowest.rate));
        } else {
            System.out.println(String.format(Locale.ROOT, "freshness p99_ms=%.0f rate=%d",
                    Math.max(best.graph.percentile(99), best.search.percentile(99)), best.rate));
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------- set-up

    private void createTargets() throws Exception {
        say("creating " + TARGET_CONCEPTS + " concepts with " + CATEGORIES_PER_CONCEPT + " categories each ...");
        for (int i = 0; i < TARGET_CONCEPTS; i++) {
            List<Map<String, Object>> categories = new ArrayList<>();
            for (int c = 0; c < CATEGORIES_PER_CONCEPT; c++) {
                categories.add(Map.of("name", "Bench moment " + ((i + c) % 40), "weight", 0.5));
            }
            HttpResponse<String> created = send("POST", settings.conceptUrl() + "/api/concepts", Map.of(
                    "name", "Freshness " + word + " " + i, "visibility", "PUBLIC", "tradition", "Benchmark",
                    "description", "A concept the freshness benchmark writes to.", "categories", categories), Map.of());
            if (created.statusCode() != 201) {
                throw new IllegalStateException("cannot create a benchmark concept: " + created.statusCode() + " " + created.body());
            }
            JsonNode body = JSON.readTree(created.body());
            String id = body.path("id").asText();
            conceptIds.add(id);
            for (JsonNode category : body.path("categories")) {
                targets.add(new String[] {id, category.path("id").asText()});
            }
        }
        java.util.Collections.shuffle(targets, new Random(42));
    }

    // ---------------------------------------------------------------------------------------------- the change topic

    private void watchTopic() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(settings.topic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stopWatcher.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() == null || !conceptIds.contains(record.key())) {
                        continue;
                    }
                    JsonNode envelope = JSON.readTree(record.value());
                    if (!"concepts".equals(envelope.path("table").asText()) || envelope.path("after").isNull()) {
                        continue;
                    }
                    Instant commit = Instant.parse(envelope.path("commitTime").asText());
                    Instant captured = Instant.parse(envelope.path("capturedAt").asText());
                    commits.put(record.key() + ":" + envelope.path("after").path("version").asLong(), commit);
                    floors.put(commit, Duration.between(commit, captured).toNanos() / 1e6);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable envelope", e);
        }
    }

    // ---------------------------------------------------------------------------------------------- open-loop writes

    private void drive(Phase phase, Duration length, boolean measured) throws InterruptedException {
        int sampleEvery = Math.max(1, (int) Math.ceil(phase.rate / (double) settings.samplesPerSecond()));
        AtomicInteger inFlight = new AtomicInteger();
        long intervalNanos = 1_000_000_000L / phase.rate;
        long start = System.nanoTime() + 20_000_000;
        long end = start + length.toNanos();
        phase.start = Instant.now().plusMillis(20);
        Random random = new Random(phase.rate);
        int k = 0;
        for (long at = start; at < end; at = start + (++k) * intervalNanos) {
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String[] target = targets.get(k % targets.size());
            boolean sampled = measured && k % sampleEvery == 0;
            long scheduled = at;
            phase.sent.incrementAndGet();
            inFlight.incrementAndGet();
            double weight = (random.nextInt(99) + 1) / 100.0;
            write(target, weight).whenComplete((written, failure) -> {
                Instant answered = Instant.now();
                if (measured) {
                    phase.write.add((System.nanoTime() - scheduled) / 1e6);
                }
                if (failure != null) {
                    phase.failed.incrementAndGet();
                    inFlight.decrementAndGet();
                    return;
                }
                phase.ok.incrementAndGet();
                if (!sampled || written.token() == null) {
                    inFlight.decrementAndGet();
                    return;
                }
                Sample sample = new Sample(target[0]);
                sample.version = written.version();
                sample.written = answered;
                phase.samples.add(sample);
                readWithToken(sample, written.token(), inFlight);
            });
        }
        phase.end = Instant.now();
        phase.seconds = length.toNanos() / 1e9;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /**
     * One weight change of a membership: through concept-service's API ({@code BENCH_WRITES=api}), or straight
     * into PostgreSQL in the same transaction shape (the default, {@code sql}; see {@link SqlWriter}).
     */
    private CompletableFuture<SqlWriter.Written> write(String[] target, double weight) {
        if (sqlWriter != null) {
            return sqlWriter.write(target[0], target[1], weight);
        }
        return http.sendAsync(request("PUT", settings.conceptUrl() + "/api/concepts/" + target[0] + "/categories/" + target[1],
                        "{\"weight\":" + weight + "}", Map.of()), HttpResponse.BodyHandlers.discarding())
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("write answered " + response.statusCode());
                    }
                    String etag = response.headers().firstValue("ETag").orElse("\"0\"");
                    return new SqlWriter.Written(Long.parseLong(etag.replaceAll("[^0-9]", "")),
                            response.headers().firstValue("X-Consistency-Token").orElse(null));
                });
    }

    /** The two reads right after the write: each answers once its projector has applied the write. */
    private void readWithToken(Sample sample, String token, AtomicInteger inFlight) {
        Map<String, String> headers = Map.of("X-Consistency-Token", token);
        inFlight.incrementAndGet();
        // with several replicas, the reads go to each in turn: any replica must answer a token read correctly
        int turn = readTurn.getAndIncrement();
        List<String> graphs = graphUrls();
        List<String> searches = searchUrls();
        http.sendAsync(request("GET", graphs.get(turn % graphs.size()) + "/api/graph/concepts/" + sample.conceptId, null, headers),
                        HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, failure) -> {
                    sample.graphVisible = Instant.now();
                    sample.graphStatus = failure == null ? response.statusCode() : -1;
                    inFlight.decrementAndGet();
                });
        http.sendAsync(request("GET", searches.get(turn % searches.size()) + "/api/search?size=1&q=" + word, null, headers),
                        HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, failure) -> {
                    sample.searchVisible = Instant.now();
                    sample.searchStatus = failure == null ? response.statusCode() : -1;
                    inFlight.decrementAndGet();
                });
    }

    /** Joins the samples with the commit times the watcher read from the topic. */
    private void settle(Phase phase) throws InterruptedException {
        Thread.sleep(1000);
        for (Sample sample : List.copyOf(phase.samples)) {
            Instant commit = commits.get(sample.conceptId + ":" + sample.version);
            if (commit == null) {
                phase.unmatched.incrementAndGet();
                commit = sample.written;   // the response follows the commit: an upper bound of the latency
            }
            record(phase.graph, phase.graphTimeouts, commit, sample.graphVisible, sample.graphStatus);
            record(phase.search, phase.searchTimeouts, commit, sample.searchVisible, sample.searchStatus);
        }
        floors.forEach((commit, floor) -> {
            if (!commit.isBefore(phase.start) && commit.isBefore(phase.end)) {
                phase.floor.add(floor);
            }
        });
    }

    private static void record(Stats stats, AtomicInteger timeouts, Instant commit, Instant visible, int status) {
        if (visible == null || status != 200) {
            timeouts.incrementAndGet();
            return;
        }
        stats.add(Duration.between(commit, visible).toNanos() / 1e6);
    }

    // ---------------------------------------------------------------------------------------------- bulk load

    record Bulk(int events, double insertSeconds, Throughput cdc, Throughput graph, Throughput search, String note,
                Cost cost) {
    }

    /**
     * Sustained events/s over some seconds. {@code atLeast}: every event came between two samples (100 ms apart), so
     * only a lower bound is known (the events over the whole interval between the two samples).
     */
    record Throughput(double perSecond, double seconds, boolean atLeast) {

        static final Throughput UNKNOWN = new Throughput(Double.NaN, Double.NaN, false);

        String rate() {
            return Double.isNaN(perSecond) ? "-" : (atLeast ? "≥ " : "") + String.format(Locale.ROOT, "%.0f", perSecond);
        }

        String took() {
            return Double.isNaN(seconds) ? "-" : (atLeast ? "≤ " : "") + String.format(Locale.ROOT, "%.1f", seconds);
        }
    }

    private Bulk bulkLoad() throws Exception {
        int conceptsToInsert = (settings.bulkEvents() + 9) / 10;  // 1 concept + 5 memberships + 4 relations
        int events = conceptsToInsert * 10;
        say("bulk load: " + conceptsToInsert + " concepts × 10 rows = " + events + " events, inserted with SQL in transactions of 100 concepts");
        String graphMetric = GRAPH_APPLIED;
        String searchMetric = SEARCH_APPLIED;
        var cost = costFrom();
        String cdcMetric = "dialectica_cdc_events_total";
        List<String> categoryIds = benchCategories();
        double graph0 = metric(graphUrls(), graphMetric);
        double search0 = metric(searchUrls(), searchMetric);
        double cdc0 = metric(settings.cdcUrl(), cdcMetric);

        Map<String, List<double[]>> series = new ConcurrentHashMap<>();   // name → [t seconds, count since start]
        AtomicBoolean sampling = new AtomicBoolean(true);
        long t0 = System.nanoTime();
        Thread sampler = Thread.ofPlatform().name("metrics-sampler").start(() -> {
            while (sampling.get()) {
                sample(series, "cdc", t0, metric(settings.cdcUrl(), cdcMetric) - cdc0);
                sample(series, "graph", t0, metric(graphUrls(), graphMetric) - graph0);
                sample(series, "search", t0, metric(searchUrls(), searchMetric) - search0);
                LockSupport.parkNanos(100_000_000);
            }
        });

        Random random = new Random(7);
        String[] types = {"IMPLIES", "PRESUPPOSES", "NEGATES", "SUBLATES", "GROUNDS", "PART_OF", "OPPOSES"};
        try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), settings.dbUser(), settings.dbPassword())) {
            db.setAutoCommit(false);
            try (PreparedStatement concept = db.prepareStatement("insert into concepts (id, owner, name, description, tradition,"
                    + " visibility, quality_score, version, created_at, updated_at) values (?, ?, ?, ?, 'Benchmark', 'PUBLIC', 0.4, 1, ?, ?)");
                 PreparedStatement membership = db.prepareStatement("insert into concept_categories (id, concept_id, category_id,"
                         + " weight, x, y) values (?, ?, ?, ?, 0, 0)");
                 PreparedStatement relation = db.prepareStatement("insert into concept_relations (id, concept_id, from_category_id,"
                         + " to_category_id, type, weight, rationale) values (?, ?, ?, ?, ?, 0.5, 'bulk')")) {
                for (int i = 0; i < conceptsToInsert; i++) {
                    UUID id = UUID.randomUUID();
                    conceptIds.add(id.toString());
                    Timestamp now = Timestamp.from(Instant.now());
                    concept.setObject(1, id);
                    concept.setString(2, benchUser);
                    concept.setString(3, "Bulk " + word + " " + i);
                    concept.setString(4, "Inserted by the freshness benchmark's bulk load.");
                    concept.setTimestamp(5, now);
                    concept.setTimestamp(6, now);
                    concept.addBatch();
                    List<String> chosen = new ArrayList<>(categoryIds);
                    java.util.Collections.shuffle(chosen, random);
                    chosen = chosen.subList(0, 5);
                    for (String categoryId : chosen) {
                        membership.setObject(1, UUID.randomUUID());
                        membership.setObject(2, id);
                        membership.setObject(3, UUID.fromString(categoryId));
                        membership.setDouble(4, (random.nextInt(99) + 1) / 100.0);
                        membership.addBatch();
                    }
                    for (int r = 0; r < 4; r++) {
                        relation.setObject(1, UUID.randomUUID());
                        relation.setObject(2, id);
                        relation.setObject(3, UUID.fromString(chosen.get(r)));
                        relation.setObject(4, UUID.fromString(chosen.get(r + 1)));
                        relation.setString(5, types[random.nextInt(types.length)]);
                        relation.addBatch();
                    }
                    if ((i + 1) % 100 == 0 || i == conceptsToInsert - 1) {
                        concept.executeBatch();
                        membership.executeBatch();
                        relation.executeBatch();
                        db.commit();
                    }
                }
            }
        }
        double insertSeconds = (System.nanoTime() - t0) / 1e9;
        say(String.format(Locale.ROOT, "inserted in %.1f s; waiting for the projectors ...", insertSeconds));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline && (last(series, "graph") < events || last(series, "search") < events)) {
            Thread.sleep(200);
        }
        sampling.set(false);
        sampler.join();
        Throughput cdc = throughput(series.get("cdc"), events);
        Throughput graph = throughput(series.get("graph"), events);
        Throughput search = throughput(series.get("search"), events);
        String note = last(series, "graph") < events || last(series, "search") < events
                ? "did not finish within 300 s" : "";
        return new Bulk(events, insertSeconds, cdc, graph, search, note, cost.get());
    }

    /** A fixed set of 40 shared categories (reused by every run), created once; their ids. */
    private List<String> benchCategories() throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), settings.dbUser(), settings.dbPassword());
             PreparedStatement select = db.prepareStatement("select id from categories where canonical_name = ?")) {
            for (int i = 0; i < 40; i++) {
                select.setString(1, "bench moment " + i);
                try (var row = select.executeQuery()) {
                    if (row.next()) {
                        ids.add(row.getString(1));
                    }
                }
            }
        }
        if (ids.size() < 5) {
            throw new IllegalStateException("the benchmark categories were not created");
        }
        return ids;
    }

    /** A point (seconds since t0, count) taken when the answer came; an unanswered scrape is no point. */
    private static void sample(Map<String, List<double[]>> series, String name, long t0, double count) {
        if (!Double.isNaN(count)) {
            series.computeIfAbsent(name, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(new double[] {(System.nanoTime() - t0) / 1e9, count});
        }
    }

    private static double last(Map<String, List<double[]>> series, String name) {
        List<double[]> points = series.get(name);
        return points == null || points.isEmpty() ? 0 : points.get(points.size() - 1)[1];
    }

    /**
     * Sustained events/s: from the first sample that moved to the first sample at {@code events} (or the last
     * one), over the count between them; and the seconds that took. When one sample already holds them all, a lower
     * bound: from the sample before it.
     */
    private static Throughput throughput(List<double[]> points, int events) {
        if (points == null) {
            return Throughput.UNKNOWN;
        }
        List<double[]> copy = List.copyOf(points);
        double[] before = null;
        double[] first = null;
        double[] done = null;
        for (double[] p : copy) {
            if (first == null && p[1] > 0) {
                first = p;
            } else if (first == null) {
                before = p;
            }
            if (done == null && p[1] >= events) {
                done = p;
            }
        }
        if (done == null && !copy.isEmpty()) {
            done = copy.get(copy.size() - 1);
        }
        if (first == null || done == null) {
            return Throughput.UNKNOWN;
        }
        if (done[0] <= first[0]) {
            // everything between two samples: the rate over their whole interval is what is known
            return before == null || done[0] <= before[0] ? Throughput.UNKNOWN
                    : new Throughput((done[1] - before[1]) / (done[0] - before[0]), done[0] - before[0], true);
        }
        // the sample "first" already counts some events; they were applied before first[0]
        return new Throughput((done[1] - first[1]) / (done[0] - first[0]), done[0] - first[0], false);
    }

    // ---------------------------------------------------------------------------------------------- convergence, report

    private String converge() throws InterruptedException {
        try (ConvergenceChecker checker = ConvergenceChecker.of(
                new PostgresTruth(settings.jdbcUrl(), settings.dbUser(), settings.dbPassword()),
                new Neo4jProjection(settings.bolt()), new SearchProjection(settings.openSearch(), settings.alias()))) {
            ConvergenceReport report = null;
            for (int attempt = 0; attempt < 10; attempt++) {
                report = checker.check(conceptIds);
                if (report.converged()) {
                    break;
                }
                Thread.sleep(1000);
            }
            say(report.describe().lines().limit(12).reduce((a, b) -> a + "\n" + b).orElse(""));
            return report.converged() ? "converged (" + report.conceptsChecked() + " concepts)"
                    : report.differences().size() + " differences in " + report.conceptsChecked() + " concepts";
        }
    }

    private String table(List<Phase> phases, Bulk bulk, String convergence, String machine) {
        StringBuilder t = new StringBuilder();
        t.append("### freshness — ").append(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).withNano(0)
                .format(java.time.format.DateTimeFormatter.ISO_INSTANT)).append(", ").append(machine)
                .append(System.getenv("BENCH_LABEL") == null ? "" : ", " + System.getenv("BENCH_LABEL")).append('\n');
        t.append("\ncommit → visible, ms (").append(settings.duration().toSeconds()).append(" s per rate after ")
                .append(settings.warmup().toSeconds()).append(" s warm-up; floor = commit → captured by cdc-connector; writes: ")
                .append(writesDescription()).append(")\n\n");
        t.append("| rate/s | achieved/s | samples | write p50 / p99 | Neo4j p50 | p95 | p99 | max | search p50 | p95 | p99 | max | floor p50 | p99 | Neo4j p99 ÷ floor p99 | search p99 ÷ floor p99 | 504s | sustained |\n");
        t.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
        for (Phase p : phases) {
            double floor99 = p.floor.percentile(99);
            t.append(String.format(Locale.ROOT, "| %d | %.0f | %d | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |%n",
                    p.rate, p.achieved(), p.samples.size(), Stats.ms(p.write.percentile(50)), Stats.ms(p.write.percentile(99)),
                    Stats.ms(p.graph.percentile(50)), Stats.ms(p.graph.percentile(95)), Stats.ms(p.graph.percentile(99)), Stats.ms(p.graph.max()),
                    Stats.ms(p.search.percentile(50)), Stats.ms(p.search.percentile(95)), Stats.ms(p.search.percentile(99)), Stats.ms(p.search.max()),
                    Stats.ms(p.floor.percentile(50)), Stats.ms(floor99),
                    ratio(p.graph.percentile(99), floor99), ratio(p.search.percentile(99), floor99),
                    p.graphTimeouts.get() + p.searchTimeouts.get(), p.sustained() ? "yes" : "no"));
        }
        t.append("\nwhere a change's time goes: every transaction of the measured part, by the services' own histograms, "
                + "ms from the source commit, p50 / p99 (bucket upper bounds)\n\n| rate/s | ")
                .append(String.join(" | ", stages.labels())).append(" |\n|---:|")
                .append("---:|".repeat(stages.labels().size())).append('\n');
        for (Phase p : phases) {
            t.append("| ").append(p.rate).append(" | ").append(String.join(" | ", p.stageCells)).append(" |\n");
        }
        t.append(String.format(Locale.ROOT, "%nbulk load: %d events (%d concepts × 10 rows) inserted with SQL in %.1f s; "
                        + "cdc-connector published %s events/s%n%n", bulk.events(), bulk.events() / 10, bulk.insertSeconds(), bulk.cdc().rate()));
        t.append("\nCPU milliseconds per event applied (ProcessCpu: /proc utime + stime of each process, replicas included, over the\n"
                + "measured part of each rate and over the bulk load; events from each projector's events-applied counter):\n\n");
        t.append("| load | graph events | graph-service ms/event | Neo4j ms/event | search events | search-service ms/event | OpenSearch ms/event |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            if (p.cost != null) {
                t.append(p.cost.row(p.rate + " changes/s"));
            }
        }
        if (bulk.cost() != null) {
            t.append(bulk.cost().row("bulk load"));
        }
        for (Phase p : phases) {
            if (!p.loadRows.isEmpty()) {
                t.append("\nwhere the machine's time goes at ").append(p.rate).append(" changes/s (measured part; per second of wall "
                        + "clock: cores a process ran, and thread-seconds its threads were runnable but waiting for a core, "
                        + "from /proc/<pid>/task/*/schedstat, children included):\n\n| process | cores used | threads waiting "
                        + "for a core |\n|---|---:|---:|\n");
                p.loadRows.forEach(row -> t.append(row).append('\n'));
            }
        }
        t.append("\n| projector | sustained events/s | seconds |\n|---|---:|---:|\n");
        t.append("| graph-service → Neo4j | ").append(bulk.graph().rate()).append(" | ").append(bulk.graph().took()).append(" |\n");
        t.append("| search-service → OpenSearch | ").append(bulk.search().rate()).append(" | ").append(bulk.search().took())
                .append(" |\n");
        if (!bulk.note().isEmpty()) {
            t.append("\n(").append(bulk.note()).append(")\n");
        }
        t.append("\nconvergence check of every benchmark concept afterwards: ").append(convergence).append('\n');
        return t.toString();
    }

    private String writesDescription() {
        return settings.writeThroughApi() ? "through concept-service's API (BENCH_WRITES=api)"
                : "straight into PostgreSQL in concept-service's transaction shape, " + settings.sqlWriters() + " connections";
    }

    private static String ratio(double value, double floor) {
        return Double.isNaN(value) || Double.isNaN(floor) || floor <= 0 ? "-" : String.format(Locale.ROOT, "%.1f×", value / floor);
    }

    private void cleanUp() throws InterruptedException {
        String position = null;
        try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), settings.dbUser(), settings.dbPassword());
             PreparedStatement delete = db.prepareStatement("delete from concepts where owner = ?");
             PreparedStatement wal = db.prepareStatement("select cast(pg_current_wal_lsn() as text)")) {
            delete.setString(1, benchUser);
            say("removed " + delete.executeUpdate() + " benchmark concepts");
            try (var rs = wal.executeQuery()) {
                rs.next();
                position = rs.getString(1);
            }
        } catch (SQLException e) {
            say("could not remove the benchmark concepts of " + benchUser + ": " + e.getMessage());
        }
        if (position != null) {
            awaitDrained(position);
        }
    }

    /**
     * Returns only once both projections have applied everything up to {@code position} (the WAL
     * position after the clean-up): the benchmark leaves no backlog behind, so the next benchmark, or a
     * user's read with a consistency token, does not meet a 504 for what this run wrote.
     */
    private void awaitDrained(String position) throws InterruptedException {
        Map<String, String> headers = Map.of("X-Consistency-Token", position);
        String absent = conceptIds.stream().findFirst().orElseGet(() -> UUID.randomUUID().toString());
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        for (String url : List.of(settings.graphUrl() + "/api/graph/concepts/" + absent, settings.searchUrl() + "/api/search?size=1&q=drained")) {
            int status = 504;
            while (status == 504 && System.nanoTime() < deadline) {
                try {
                    status = http.send(request("GET", url, null, headers), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException e) {
                    Thread.sleep(500);
                }
            }
            say(status == 504 ? "still behind after 5 min: " + url : "drained: " + url.replaceAll("\\?.*", "") + " answered " + status);
        }
    }

    // ---------------------------------------------------------------------------------------------- HTTP, misc

    private HttpRequest request(String method, String url, String body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + settings.token());
        headers.forEach(builder::header);
        if (body != null) {
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private HttpResponse<String> send(String method, String url, Object body, Map<String, String> headers) throws Exception {
        return http.send(request(method, url, body == null ? null : JSON.writeValueAsString(body), headers),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, Map<String, String> headers) {
        try {
            return send("GET", url, null, headers);
        } catch (Exception e) {
            return null;
        }
    }

    private static int status(HttpResponse<?> response) {
        return response == null ? -1 : response.statusCode();
    }

    /** Every replica of a projector: the first (GRAPH_URL / SEARCH_URL) and BENCH_EXTRA_*_URLS (freshness.sh). */
    private static List<String> replicas(String first, String extraVariable) {
        List<String> urls = new ArrayList<>(List.of(first));
        for (String extra : env(extraVariable, "").split(",")) {
            if (!extra.isBlank()) {
                urls.add(extra.strip());
            }
        }
        return urls;
    }

    private List<String> graphUrls() {
        return replicas(settings.graphUrl(), "BENCH_EXTRA_GRAPH_URLS");
    }

    private List<String> searchUrls() {
        return replicas(settings.searchUrl(), "BENCH_EXTRA_SEARCH_URLS");
    }

    /** A counter summed over every replica (each counts what it applied). */
    private double metric(List<String> baseUrls, String name) {
        double sum = 0;
        for (String url : baseUrls) {
            sum += metric(url, name);
        }
        return sum;
    }

    private double metric(String baseUrl, String name) {
        String body = metricsBody(baseUrl);
        if (body == null) {
            return Double.NaN;
        }
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The body of a service's {@code /q/metrics}; null when it did not answer 200. */
    private String metricsBody(String baseUrl) {
        HttpResponse<String> response = get(baseUrl + "/q/metrics", Map.of());
        return response != null && response.statusCode() == 200 ? response.body() : null;
    }

    private static String subject(String jwt) {
        try {
            String[] parts = jwt.split("\\.");
            JsonNode claims = JSON.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
            return claims.path("sub").asText();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("BENCH_TOKEN is not a JWT", e);
        }
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        long memory = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memory = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        String load = "";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memory + " GB RAM, load average "
                + load + " at start, whole local stack running (./dialectica up)";
    }

    private static void say(String message) {
        System.err.println("bench freshness: " + message);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
