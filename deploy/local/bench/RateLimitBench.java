// ./dialectica bench ratelimit — two claude-worker replicas against one shared request limit.
//
// Run by deploy/local/bench/ratelimit.sh as single-file source with claude-worker's own runtime classpath
// (kafka-clients, Jackson, the contracts): java -cp 'claude-worker/target/quarkus-app/lib/main/*' RateLimitBench.java
//
// 1. context: when graph-service (GRAPH_URL) and the gateway are up, three concepts are created through the
//    gateway and awaited in graph-service (the workers read their graphs there); otherwise a tiny stub of
//    graph-service's three read endpoints answers every id with the same graph (the benchmark measures the
//    limiter, not graph-service);
// 2. this run's topics (requests with 6 partitions, progress, results, dead letter) and a backlog of BENCH_JOBS
//    GenerationRequests published straight to the requests topic (no thesis-service on the path);
// 3. a private stand-in of the Messages API on a free port with a fixed latency and no streaming pace;
// 4. two packaged workers (ports BENCH_WORKER_PORTS) in one consumer group of this run, sharing a limit of
//    BENCH_LIMIT requests/min in Redis under this run's key prefix (output-token limit out of reach, cache off);
// 5. waits for every result, stops everything, reads the stand-in's per-second counts (GET /stats) and the
//    jobs' progress events and results, prints the table; the last line is
//    ratelimit utilisation=<0..1> max_window_ratio=<x>
//
// Environment: DIALECTICA_ROOT, BENCH_JOBS (900), BENCH_LIMIT (600), BENCH_LATENCY_MS (500), BENCH_CONCURRENCY
// (16 per replica), BENCH_WORKER_PORTS (8085,8095), BENCH_EDGE_SECONDS (5: left out at each end of the steady
// part), GRAPH_URL (http://127.0.0.1:8082), GATEWAY_URL (http://127.0.0.1:8080), KAFKA (127.0.0.1:19092),
// REDIS (127.0.0.1:16379), BENCH_TOKEN (a user JWT for the gateway), BENCH_RESULT_FILE (the table and figures
// go there too, for the shell script to append to docs/benchmarks.md).

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpServer;
import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

public class RateLimitBench {

    static final Path ROOT = Path.of(env("DIALECTICA_ROOT", ".")).toAbsolutePath().normalize();
    static final int JOBS = Integer.parseInt(env("BENCH_JOBS", "900"));
    static final int LIMIT = Integer.parseInt(env("BENCH_LIMIT", "600"));
    static final int LATENCY_MS = Integer.parseInt(env("BENCH_LATENCY_MS", "500"));
    static final int CONCURRENCY = Integer.parseInt(env("BENCH_CONCURRENCY", "16"));
    static final List<Integer> WORKER_PORTS = List.of(env("BENCH_WORKER_PORTS", "8085,8095").split(",")).stream()
            .map(String::trim).map(Integer::parseInt).toList();
    static final int EDGE = Integer.parseInt(env("BENCH_EDGE_SECONDS", "5"));
    static final String GRAPH_URL = env("GRAPH_URL", "http://127.0.0.1:8082");
    static final String GATEWAY_URL = env("GATEWAY_URL", "http://127.0.0.1:8080");
    static final String KAFKA = env("KAFKA", "127.0.0.1:19092");
    static final String REDIS = env("REDIS", "127.0.0.1:16379");
    static final String TOKEN = env("BENCH_TOKEN", "");
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String PREFIX = "bench-ratelimit-" + RUN;
    static final String REQUESTS = PREFIX + ".requests";
    static final String PROGRESS = PREFIX + ".progress";
    static final String RESULTS = PREFIX + ".results";
    static final String DEAD_LETTER = PREFIX + ".dead-letter";
    static final Path LOGS = ROOT.resolve(".local/logs");

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Per job: the last "generating" progress event (after the limiter's grant) and the result. */
    static final Map<UUID, Instant> GENERATING = new ConcurrentHashMap<>();
    static final Map<UUID, Instant> RUNNING = new ConcurrentHashMap<>();
    static final Map<UUID, Instant> WAITING = new ConcurrentHashMap<>();
    static final Map<UUID, Integer> ATTEMPTS = new ConcurrentHashMap<>();
    /** The limiter's own grants (Redis TIME, ms), read from its sliding log while it still holds them. */
    static final Map<String, Long> GRANTS = new ConcurrentHashMap<>();
    static final Map<UUID, GenerationResult> RESULTS_BY_JOB = new ConcurrentHashMap<>();
    static final Map<UUID, Integer> RESULT_COUNT = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        Files.createDirectories(LOGS);
        List<AutoCloseable> cleanup = new ArrayList<>();
        int rc = 1;
        try {
            rc = run(cleanup);
        } finally {
            Collections.reverse(cleanup);
            for (AutoCloseable c : cleanup) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("bench ratelimit: clean-up: " + e);
                }
            }
        }
        System.exit(rc);
    }

    static int run(List<AutoCloseable> cleanup) throws Exception {
        String machine = machine();
        say("run " + RUN + ": " + JOBS + " jobs, limit " + LIMIT + "/min over " + WORKER_PORTS.size()
                + " workers (concurrency " + CONCURRENCY + " each), stand-in latency " + LATENCY_MS + " ms");

        // 1. graph context
        String graphUrl;
        String graphSource;
        List<UUID> concepts;
        if (ready(GRAPH_URL) && ready(GATEWAY_URL) && !TOKEN.isBlank()) {
            concepts = createConcepts();
            graphUrl = GRAPH_URL;
            graphSource = "graph-service (3 concepts created through the gateway)";
        } else {
            HttpServer stub = graphStub();
            cleanup.add(() -> stub.stop(0));
            graphUrl = "http://127.0.0.1:" + stub.getAddress().getPort();
            concepts = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
            graphSource = "graph-service stub (graph-service not up)";
        }
        say("context from " + graphSource);

        // 2. topics and the backlog
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.createTopics(List.of(new NewTopic(REQUESTS, 6, (short) 1), new NewTopic(PROGRESS, 3, (short) 1),
                    new NewTopic(RESULTS, 3, (short) 1), new NewTopic(DEAD_LETTER, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        cleanup.add(RateLimitBench::deleteTopics);
        // progress and results, read from the start by assignment (no group)
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread reader = Thread.ofPlatform().name("bench-reader").start(() -> read(reading));
        cleanup.add(() -> {
            reading.set(false);
            reader.join(5000);
        });

        // 3. the stand-in
        int standInPort = freePort();
        Process standIn = startStandIn(standInPort);
        cleanup.add(() -> stop(standIn));
        String standInUrl = "http://127.0.0.1:" + standInPort;
        await("stand-in", () -> ok(standInUrl + "/health"), Duration.ofSeconds(30));
        post(standInUrl + "/stats/reset");

        // 4. the workers
        List<Process> workers = new ArrayList<>();
        for (int port : WORKER_PORTS) {
            Process worker = startWorker(port, standInUrl, graphUrl);
            workers.add(worker);
            cleanup.add(() -> stop(worker));
        }
        for (int port : WORKER_PORTS) {
            await("claude-worker on " + port, () -> ok("http://127.0.0.1:" + port + "/q/health/ready"),
                    Duration.ofSeconds(120));
        }
        AtomicBoolean polling = new AtomicBoolean(true);
        Thread grants = Thread.ofPlatform().name("bench-grants").start(() -> pollGrants(polling));
        cleanup.add(() -> {
            polling.set(false);
            grants.join(15000);
        });
        awaitGroup(WORKER_PORTS.size());
        say("workers ready, the group holds all 6 partitions");
        List<UUID> jobs = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < JOBS; i++) {
                UUID job = UUID.randomUUID();
                jobs.add(job);
                GenerationRequest request = new GenerationRequest(GenerationRequest.SCHEMA_VERSION, job, JobType.THESES,
                        "bench-ratelimit", List.of(concepts.get(i % concepts.size())), 3, "en", null, Instant.now());
                producer.send(new ProducerRecord<>(REQUESTS, job.toString(), JSON.writeValueAsBytes(request)));
            }
            producer.flush();
        }
        say("backlog of " + JOBS + " requests on " + REQUESTS + " (6 partitions)");

        say("draining the backlog");

        // 5. every result
        long expectedSeconds = (long) Math.ceil(JOBS * 60.0 / LIMIT);
        Instant deadline = Instant.now().plusSeconds(expectedSeconds * 2 + 120);
        int last = -1;
        while (RESULTS_BY_JOB.size() < JOBS && Instant.now().isBefore(deadline)) {
            for (int i = 0; i < workers.size(); i++) {
                if (!workers.get(i).isAlive()) {
                    throw new IllegalStateException("claude-worker on " + WORKER_PORTS.get(i) + " exited; see "
                            + LOGS.resolve("bench-ratelimit-worker-" + WORKER_PORTS.get(i) + ".log"));
                }
            }
            int done = RESULTS_BY_JOB.size();
            if (done / 100 != last / 100) {
                say(done + " of " + JOBS + " results");
                last = done;
            }
            Thread.sleep(500);
        }
        Thread.sleep(1000); // late duplicates, if any
        readGrants();
        JsonNode stats = JSON.readTree(get(standInUrl + "/stats"));
        for (Process worker : workers) {
            stop(worker);
        }

        // figures
        TreeMap<Long, Integer> perSecond = new TreeMap<>();
        stats.path("perSecond").properties().forEach(e -> perSecond.put(Long.parseLong(e.getKey()), e.getValue().asInt()));
        if (perSecond.isEmpty()) {
            throw new IllegalStateException("the stand-in received no request");
        }
        long first = perSecond.firstKey();
        long lastSecond = perSecond.lastKey();
        long steadyFrom = first + EDGE;
        long steadyTo = lastSecond - EDGE; // inclusive
        double perSecondLimit = LIMIT / 60.0;
        long steadyCount = 0;
        for (long s = steadyFrom; s <= steadyTo; s++) {
            steadyCount += perSecond.getOrDefault(s, 0);
        }
        long steadySeconds = Math.max(0, steadyTo - steadyFrom + 1);
        double utilisation = steadySeconds == 0 ? 0 : steadyCount / (steadySeconds * perSecondLimit);
        int max1 = 0;
        int max60 = 0;
        for (long s = first; s <= lastSecond; s++) {
            max1 = Math.max(max1, perSecond.getOrDefault(s, 0));
            int sum = 0;
            for (long t = s; t < s + 60; t++) {
                sum += perSecond.getOrDefault(t, 0);
            }
            max60 = Math.max(max60, sum);
        }
        double ratio1 = max1 / perSecondLimit;
        double ratio60 = max60 / (double) LIMIT;
        double maxWindowRatio = Math.max(ratio1, ratio60);
        int steadyMax1 = 0;
        for (long s = steadyFrom; s <= steadyTo; s++) {
            steadyMax1 = Math.max(steadyMax1, perSecond.getOrDefault(s, 0));
        }
        int secondsOver = (int) perSecond.values().stream().filter(c -> c > perSecondLimit).count();
        int secondsUnder = 0;
        for (long s = steadyFrom; s <= steadyTo; s++) {
            if (perSecond.getOrDefault(s, 0) < Math.floor(perSecondLimit)) {
                secondsUnder++;
            }
        }

        // the same windows at the limiter: sliding, to the millisecond, on the grant times in Redis
        List<Long> grantTimes = GRANTS.values().stream().sorted().toList();
        int grantMax1 = maxInWindow(grantTimes, 1000);
        int grantMax60 = maxInWindow(grantTimes, 60_000);
        long minGap = Long.MAX_VALUE;
        // lateness of a grant: its gap to the previous one beyond the configured spacing (window/limit × 1.01);
        // while jobs wait for the limiter, every ms of it is throughput lost (the next slot counts from the grant)
        double spacing = 60_000.0 / LIMIT * 1.01;
        List<Double> lateness = new ArrayList<>();
        for (int i = 1; i < grantTimes.size(); i++) {
            long gap = grantTimes.get(i) - grantTimes.get(i - 1);
            minGap = Math.min(minGap, gap);
            if (grantTimes.get(i) / 1000 >= steadyFrom && grantTimes.get(i) / 1000 <= steadyTo) {
                lateness.add(gap - spacing);
            }
        }
        double meanLate = lateness.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);

        List<Double> jobOverhead = new ArrayList<>();
        List<Double> callOverhead = new ArrayList<>();
        List<Double> contextTime = new ArrayList<>();
        List<Double> waitTime = new ArrayList<>();
        int succeeded = 0;
        int failed = 0;
        int multiCall = 0;
        for (UUID job : jobs) {
            GenerationResult r = RESULTS_BY_JOB.get(job);
            if (r == null) {
                continue;
            }
            if (!r.succeeded()) {
                failed++;
                continue;
            }
            succeeded++;
            if (r.interactions() != null && r.interactions().size() > 1) {
                multiCall++;
            }
            Instant generating = GENERATING.get(job);
            if (generating != null && r.finishedAt() != null) {
                jobOverhead.add(Duration.between(generating, r.finishedAt()).toNanos() / 1e6 - LATENCY_MS);
            }
            Instant running = RUNNING.get(job);
            Instant waiting = WAITING.get(job);
            if (running != null && generating != null) {
                Instant contextDone = waiting != null && waiting.isBefore(generating) ? waiting : generating;
                contextTime.add(Duration.between(running, contextDone).toNanos() / 1e6);
                waitTime.add(Duration.between(contextDone, generating).toNanos() / 1e6);
            }
            if (r.interactions() != null) {
                r.interactions().stream().filter(i -> !i.cacheHit())
                        .forEach(i -> callOverhead.add((double) (i.latencyMs() - LATENCY_MS)));
            }
        }
        long duplicates = RESULT_COUNT.values().stream().filter(c -> c > 1).count();
        Map<String, Integer> byStatus = new TreeMap<>();
        stats.path("byStatus").properties().forEach(e -> byStatus.put(e.getKey(), e.getValue().asInt()));

        String table = String.join("\n",
                "| figure | value |",
                "|---|---:|",
                row("jobs (results / succeeded / failed / duplicate results)", RESULTS_BY_JOB.size() + " / " + succeeded
                        + " / " + failed + " / " + duplicates),
                row("requests received by the stand-in (by status)", stats.path("total").asInt() + " " + byStatus),
                row("jobs that needed a second call (repair)", Integer.toString(multiCall)),
                row("jobs run more than once (a RUNNING attempt > 1)", Long.toString(ATTEMPTS.values().stream().filter(a -> a > 1).count())),
                row("limit", LIMIT + "/min = " + fmt(perSecondLimit) + "/s, 2 replicas × concurrency " + CONCURRENCY),
                row("run (first → last request at the stand-in)", (lastSecond - first + 1) + " s"),
                row("steady part (first and last " + EDGE + " s left out)", steadySeconds + " s, " + steadyCount + " requests"),
                row("achieved rate in the steady part", fmt(steadySeconds == 0 ? 0 : steadyCount / (double) steadySeconds)
                        + "/s"),
                row("**utilisation** (steady rate / limit)", "**" + fmt3(utilisation) + "**"),
                row("seconds of the steady part below " + (int) Math.floor(perSecondLimit) + " requests", Integer.toString(secondsUnder)),
                row("worst 1-s window (limit " + fmt(perSecondLimit) + ")", max1 + " → ratio " + fmt3(ratio1)),
                row("worst 1-s window of the steady part", steadyMax1 + " → ratio " + fmt3(steadyMax1 / perSecondLimit)),
                row("worst 60-s window (limit " + LIMIT + ")", max60 + " → ratio " + fmt3(ratio60)),
                row("seconds above the 1-s limit", Integer.toString(secondsOver)),
                row("at the limiter (grant times in Redis, sliding windows): grants / worst 1 s / worst 60 s / smallest gap",
                        grantTimes.size() + " / " + grantMax1 + " / " + grantMax60 + " / "
                                + (minGap == Long.MAX_VALUE ? "-" : minGap + " ms")),
                row("grant lateness in the steady part (gap − " + fmt(spacing) + " ms spacing), mean / p50 / p99 ms",
                        fmt(meanLate) + " / " + pct(lateness, 50) + " / " + pct(lateness, 99)),
                row("**max_window_ratio**", "**" + fmt3(maxWindowRatio) + "**"),
                row("stand-in latency (fixed, no streaming pace)", LATENCY_MS + " ms"),
                row("call overhead: SDK call − stand-in latency, p50 / p99 ms", pct(callOverhead, 50) + " / " + pct(callOverhead, 99)),
                row("job overhead: grant → result published − stand-in latency, p50 / p99 ms", pct(jobOverhead, 50) + " / "
                        + pct(jobOverhead, 99)),
                row("taken → grant (context, then limiter waits < 250 ms each), p50 / p99 ms", pct(contextTime, 50) + " / "
                        + pct(contextTime, 99)),
                row("announced limiter waits (≥ 250 ms), p50 / p99 ms", pct(waitTime, 50) + " / " + pct(waitTime, 99)),
                row("context from", graphSource));
        String summary = String.format(Locale.ROOT, "ratelimit utilisation=%.3f max_window_ratio=%.3f", utilisation,
                maxWindowRatio);
        System.out.println(table);
        String resultFile = env("BENCH_RESULT_FILE", "");
        if (!resultFile.isBlank()) {
            Files.writeString(Path.of(resultFile), "MACHINE " + machine + "\nPERSECOND " + perSecondLine(perSecond)
                    + "\n" + table + "\n" + summary + "\n");
        }
        System.out.println(summary);
        return RESULTS_BY_JOB.size() == JOBS ? 0 : 2;
    }

    // ---------------------------------------------------------------------------------------------------

    static List<UUID> createConcepts() throws Exception {
        String[][] specs = {
                {"Bench: Being, Nothing, Becoming", "German Idealism", "Being", "Nothing", "Becoming", "NEGATES", "SUBLATES"},
                {"Bench: Four causes", "Aristotelianism", "Material cause", "Formal cause", "Final cause", "GROUNDS", "PRESUPPOSES"},
                {"Bench: Categories of quantity", "Kantianism", "Unity", "Plurality", "Totality", "OPPOSES", "SUBLATES"}};
        List<UUID> ids = new ArrayList<>();
        for (String[] s : specs) {
            Map<String, Object> body = Map.of("name", s[0] + " " + RUN, "tradition", s[1], "visibility", "PRIVATE",
                    "description", "Created by ./dialectica bench ratelimit.",
                    "categories", List.of(Map.of("name", s[2], "weight", 0.9), Map.of("name", s[3], "weight", 0.8),
                            Map.of("name", s[4], "weight", 1.0)),
                    "relations", List.of(Map.of("from", s[2], "to", s[3], "type", s[5], "rationale", "bench"),
                            Map.of("from", s[4], "to", s[2], "type", s[6], "rationale", "bench")));
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(GATEWAY_URL + "/api/concepts"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("creating a concept through the gateway: " + r.statusCode() + " " + r.body());
            }
            ids.add(UUID.fromString(JSON.readTree(r.body()).path("id").asText()));
        }
        for (UUID id : ids) {
            await("concept " + id + " in graph-service", () -> {
                try {
                    return HTTP.send(HttpRequest.newBuilder(URI.create(GRAPH_URL + "/api/graph/concepts/" + id))
                            .header("Authorization", "Bearer " + TOKEN).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            }, Duration.ofSeconds(60));
        }
        return ids;
    }

    /** graph-service's three read endpoints the worker calls, answering every id with one small graph. */
    static HttpServer graphStub() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        UUID being = UUID.randomUUID();
        UUID nothing = UUID.randomUUID();
        UUID becoming = UUID.randomUUID();
        server.createContext("/api/graph/concepts/", exchange -> {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            String id = parts[4];
            String body;
            if (parts.length == 5) {
                body = """
                        {"id":"%s","name":"Being, Nothing, Becoming","description":"The opening triad.","tradition":"German Idealism",
                         "owner":"bench","visibility":"PUBLIC",
                         "categories":[{"id":"%s","name":"Being","weight":0.9},{"id":"%s","name":"Nothing","weight":0.9},
                                       {"id":"%s","name":"Becoming","weight":1.0}],
                         "relations":[{"id":"%s","type":"NEGATES","fromCategoryId":"%s","toCategoryId":"%s","weight":1.0,
                                       "rationale":"pure being is pure nothing"},
                                      {"id":"%s","type":"SUBLATES","fromCategoryId":"%s","toCategoryId":"%s","weight":1.0}]}
                        """.formatted(id, being, nothing, becoming, UUID.randomUUID(), being, nothing, UUID.randomUUID(),
                        becoming, being);
            } else if (parts[5].equals("centrality")) {
                body = """
                        {"conceptId":"%s","items":[{"categoryId":"%s","name":"Becoming","score":0.4},
                         {"categoryId":"%s","name":"Being","score":0.35},{"categoryId":"%s","name":"Nothing","score":0.25}]}
                        """.formatted(id, becoming, being, nothing);
            } else {
                body = "{\"conceptId\":\"" + id + "\",\"items\":[]}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    static void read(AtomicBoolean reading) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                partitions.add(new TopicPartition(PROGRESS, p));
                partitions.add(new TopicPartition(RESULTS, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (reading.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        if (r.topic().equals(RESULTS)) {
                            GenerationResult result = JSON.readValue(r.value(), GenerationResult.class);
                            RESULTS_BY_JOB.putIfAbsent(result.jobId(), result);
                            RESULT_COUNT.merge(result.jobId(), 1, Integer::sum);
                        } else {
                            JobEvent event = JSON.readValue(r.value(), JobEvent.class);
                            if ("generating".equals(event.phase()) && event.at() != null
                                    && Integer.valueOf(0).equals(event.outputTokens())) {
                                // the phase change right after the limiter's grant (token progress has outputTokens > 0)
                                GENERATING.put(event.jobId(), event.at());
                            } else if ("waiting-for-rate-limit".equals(event.phase()) && event.at() != null) {
                                WAITING.putIfAbsent(event.jobId(), event.at());
                            } else if (JobEvent.STATUS.equals(event.type()) && event.at() != null && event.status() != null
                                    && event.status().name().equals("RUNNING")) {
                                RUNNING.putIfAbsent(event.jobId(), event.at());
                                ATTEMPTS.merge(event.jobId(), event.attempt(), Math::max);
                            }
                        }
                    } catch (IOException e) {
                        System.err.println("bench ratelimit: unreadable record on " + r.topic() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    static Process startStandIn(int port) throws IOException {
        Path module = ROOT.resolve("deploy/local/claude-standin/target");
        String cp = module.resolve("classes") + java.io.File.pathSeparator + module.resolve("lib") + "/*";
        List<String> command = List.of(java(), "-Xmx256m", "-Dstandin.port=" + port, "-Dstandin.latency-ms=" + LATENCY_MS,
                "-Dstandin.tokens-per-second=0", "-cp", cp, "io.dialectica.local.standin.ClaudeStandIn");
        return launch(command, Map.of(), LOGS.resolve("bench-ratelimit-standin.log"));
    }

    static Process startWorker(int port, String standInUrl, String graphUrl) throws IOException {
        Path jar = ROOT.resolve("claude-worker/target/quarkus-app/quarkus-run.jar");
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("DIALECTICA_WORKER_KAFKA_BOOTSTRAP_SERVERS", KAFKA);
        env.put("DIALECTICA_WORKER_KAFKA_REQUESTS_TOPIC", REQUESTS);
        env.put("DIALECTICA_WORKER_KAFKA_PROGRESS_TOPIC", PROGRESS);
        env.put("DIALECTICA_WORKER_KAFKA_RESULTS_TOPIC", RESULTS);
        env.put("DIALECTICA_WORKER_KAFKA_DEAD_LETTER_TOPIC", DEAD_LETTER);
        env.put("DIALECTICA_WORKER_KAFKA_GROUP", PREFIX);
        env.put("DIALECTICA_WORKER_KAFKA_CANCEL_GROUP_PREFIX", PREFIX + "-cancel");
        env.put("DIALECTICA_WORKER_CONCURRENCY", Integer.toString(CONCURRENCY));
        env.put("DIALECTICA_WORKER_RATELIMIT_REQUESTS_PER_MINUTE", Integer.toString(LIMIT));
        // the benchmark measures the request limit: the token limit must not bind first
        env.put("DIALECTICA_WORKER_RATELIMIT_OUTPUT_TOKENS_PER_MINUTE", "1000000000");
        env.put("DIALECTICA_WORKER_RATELIMIT_KEY_PREFIX", PREFIX + ":ratelimit");
        env.put("DIALECTICA_WORKER_ATTEMPTS_KEY_PREFIX", PREFIX + ":attempts");
        // every job must reach the API: identical prompts would be answered from the cache
        env.put("DIALECTICA_WORKER_CACHE_ENABLED", "false");
        env.put("DIALECTICA_WORKER_CACHE_KEY_PREFIX", PREFIX + ":cache");
        env.put("DIALECTICA_WORKER_CLAUDE_STAND_IN_URL", standInUrl);
        env.put("QUARKUS_REST_CLIENT_GRAPH_SERVICE_URL", graphUrl);
        env.put("QUARKUS_REDIS_HOSTS", "redis://" + REDIS);
        List<String> command = List.of(java(), "-Xmx256m", "-jar", jar.toString());
        return launch(command, env, LOGS.resolve("bench-ratelimit-worker-" + port + ".log"));
    }

    static Process launch(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        // the private stand-in answers, never the real API
        builder.environment().remove("ANTHROPIC_API_KEY");
        return builder.start();
    }

    static void stop(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Both replicas in the group, all partitions assigned: the backlog is not re-run by an early rebalance. */
    static void awaitGroup(int members) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            await("consumer group " + PREFIX + " with " + members + " members", () -> {
                var group = admin.describeConsumerGroups(List.of(PREFIX)).all().get(10, TimeUnit.SECONDS).get(PREFIX);
                if (group == null || group.members().size() != members) {
                    return false;
                }
                long assigned = group.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty())
                        .mapToLong(m -> m.assignment().topicPartitions().size()).sum();
                boolean everyone = group.members().stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty());
                return assigned == 6 && everyone && group.groupState() == org.apache.kafka.common.GroupState.STABLE;
            }, Duration.ofSeconds(90));
        }
    }

    static void pollGrants(AtomicBoolean polling) {
        while (polling.get()) {
            try {
                readGrants();
            } catch (Exception e) {
                say("reading the limiter's log: " + e.getMessage());
            }
            try {
                Thread.sleep(10_000); // the log keeps the last minute
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** ZRANGE <prefix>:ratelimit:req-log 0 -1 WITHSCORES over a plain RESP socket. */
    static synchronized void readGrants() throws IOException {
        String key = PREFIX + ":ratelimit:req-log";
        String host = REDIS.substring(0, REDIS.lastIndexOf(':'));
        int port = Integer.parseInt(REDIS.substring(REDIS.lastIndexOf(':') + 1));
        try (java.net.Socket socket = new java.net.Socket(host, port)) {
            socket.setSoTimeout(5000);
            String command = "*5\r\n$6\r\nZRANGE\r\n$" + key.length() + "\r\n" + key + "\r\n$1\r\n0\r\n$2\r\n-1\r\n$10\r\nWITHSCORES\r\n";
            socket.getOutputStream().write(command.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            var in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            String header = line(in);
            if (!header.startsWith("*")) {
                throw new IOException("unexpected answer " + header);
            }
            int n = Integer.parseInt(header.substring(1));
            for (int i = 0; i + 1 < n; i += 2) {
                String member = bulk(in);
                String score = bulk(in);
                GRANTS.put(member, (long) Double.parseDouble(score));
            }
        }
    }

    static String line(java.io.DataInputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            b.append((char) c);
        }
        in.read();
        return b.toString();
    }

    static String bulk(java.io.DataInputStream in) throws IOException {
        String header = line(in);
        byte[] bytes = new byte[Integer.parseInt(header.substring(1))];
        in.readFully(bytes);
        in.read();
        in.read();
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Most values of a sorted list inside any window [t, t + width). */
    static int maxInWindow(List<Long> sorted, long width) {
        int best = 0;
        int start = 0;
        for (int end = 0; end < sorted.size(); end++) {
            while (sorted.get(end) - sorted.get(start) >= width) {
                start++;
            }
            best = Math.max(best, end - start + 1);
        }
        return best;
    }

    static void deleteTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.deleteTopics(List.of(REQUESTS, PROGRESS, RESULTS, DEAD_LETTER)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("bench ratelimit: topics " + PREFIX + ".* not deleted: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(String what, Check check, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(what + " not ready after " + timeout);
    }

    static boolean ready(String base) {
        return ok(base + "/q/health/ready");
    }

    static boolean ok(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static void post(String url) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException ignored) {
            // not Linux
        }
        String load = "";
        try {
            load = ", load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException ignored) {
            // not Linux
        }
        String memory = "";
        try {
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> ", " + Long.parseLong(l.replaceAll("[^0-9]", "")) / (1 << 20) + " GB RAM").orElse("");
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + ")" + memory + load;
    }

    static String perSecondLine(TreeMap<Long, Integer> perSecond) {
        return perSecond.values().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static String row(String figure, String value) {
        return "| " + figure + " | " + value + " |";
    }

    static String pct(List<Double> values, double p) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return fmt(sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static void say(String message) {
        System.err.println("bench ratelimit: " + message);
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
