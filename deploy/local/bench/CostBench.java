import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workload of ./dialectica bench cost (deploy/local/bench/cost.sh), through the gateway as a user would
 * run it: the demo's three concepts (read from deploy/local/demo/Demo.java), then per round, for each concept
 * theses jobs with other counts and languages, and syntheses of every pair in two modes and of all three;
 * the stand-in cuts a fixed quarter of the conversations' first answers (STANDIN_FAULT=invalid-json-once,
 * STANDIN_FAULT_SHARE=0.25, set by cost.sh), so those jobs make a repair round-trip. Jobs run one after the
 * other (the same order in every mode, so the prompt cache sees the same sequence), each to its end. Then
 * every job's usage and costUsd from GET /api/jobs/{id} are summed. BENCH_MODE=batch: the same jobs with
 * "priority": "batch", all requested first (claude-worker collects them into Message Batches, the repairs into the
 * next one), then awaited.
 *
 * BENCH_PHASE=setup: creates the concepts (the bench user's own), waits until graph-service has them, writes
 * their ids to BENCH_CONCEPTS_FILE. BENCH_PHASE=run (BENCH_MODE names it): runs the workload, appends one line
 * to BENCH_RESULT_FILE: "<mode> jobs= failed= calls= input= cache_write= cache_read= output= usd=".
 */
public class CostBench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String GATEWAY = env("BENCH_GATEWAY", "http://127.0.0.1:8080");
    static final String STANDIN = env("BENCH_STANDIN", "http://127.0.0.1:18089");
    static final String TOKEN = env("BENCH_TOKEN", "");
    static final Path ROOT = Path.of(env("DIALECTICA_ROOT", "."));

    public static void main(String[] args) throws Exception {
        if (TOKEN.isBlank()) {
            throw new IllegalStateException("BENCH_TOKEN is not set");
        }
        switch (env("BENCH_PHASE", "run")) {
            case "setup" -> setup();
            case "run" -> run(env("BENCH_MODE", "run"));
            default -> throw new IllegalArgumentException("BENCH_PHASE setup or run");
        }
    }

    // ---------------------------------------------------------------------------------------------

    static void setup() throws Exception {
        String demo = Files.readString(ROOT.resolve("deploy/local/demo/Demo.java"));
        List<String> ids = new ArrayList<>();
        for (String name : List.of("HEGEL", "KANT", "ARISTOTLE")) {
            Matcher m = Pattern.compile("static final String " + name + " = \"\"\"\\s*(.*?)\"\"\";", Pattern.DOTALL).matcher(demo);
            if (!m.find()) {
                throw new IllegalStateException("no " + name + " concept in Demo.java");
            }
            ObjectNode concept = (ObjectNode) JSON.readTree(m.group(1));
            concept.put("visibility", "PRIVATE");
            HttpResponse<String> r = send("POST", GATEWAY + "/api/concepts", concept.toString(), Map.of());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("creating " + concept.path("name").asText() + ": " + r.statusCode() + " " + r.body());
            }
            String id = JSON.readTree(r.body()).path("id").asText();
            String token = r.headers().firstValue("x-consistency-token").orElse(null);
            waitForGraph(id, token);
            ids.add(id);
            System.err.printf("bench cost: concept %s %s (%d categories)%n", id, concept.path("name").asText(),
                    concept.path("categories").size());
        }
        Files.writeString(Path.of(env("BENCH_CONCEPTS_FILE", "concepts.txt")), String.join("\n", ids) + "\n");
    }

    static void waitForGraph(String id, String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send("GET", GATEWAY + "/api/graph/concepts/" + id, null,
                    token == null ? Map.of() : Map.of("X-Consistency-Token", token));
            if (r.statusCode() == 200) {
                return;
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("concept " + id + " did not reach graph-service within 60 s");
    }

    // ---------------------------------------------------------------------------------------------

    record Request(String label, String path, String body) {
    }

    static List<Request> workload(List<String> c, int rounds) {
        List<Request> out = new ArrayList<>();
        String[][] theses = { { "3", "en" }, { "5", "en" }, { "5", "de" }, { "4", "fr" } };
        for (int round = 0; round < rounds; round++) {
            for (String id : c) {
                for (String[] t : theses) {
                    int count = Integer.parseInt(t[0]) + round; // every round asks for something new (no response cache)
                    out.add(new Request("theses", "/api/concepts/" + id + "/theses",
                            "{\"count\":" + Math.min(10, count) + ",\"language\":\"" + t[1] + "\"}"));
                }
            }
            List<List<String>> sets = List.of(List.of(c.get(0), c.get(1)), List.of(c.get(1), c.get(2)),
                    List.of(c.get(0), c.get(2)));
            String[] languages = { "en", "de", "fr", "it", "es" };
            for (List<String> set : sets) {
                for (String mode : List.of("dialectical", "comparative")) {
                    out.add(new Request("synthesis", "/api/syntheses", "{\"conceptIds\":[\"" + String.join("\",\"", set)
                            + "\"],\"mode\":\"" + mode + "\",\"language\":\"" + languages[round % languages.length] + "\"}"));
                }
            }
            out.add(new Request("synthesis", "/api/syntheses", "{\"conceptIds\":[\"" + String.join("\",\"", c)
                    + "\"],\"mode\":\"integrative\",\"language\":\"" + languages[round % languages.length] + "\"}"));
        }
        return out;
    }

    static void run(String mode) throws Exception {
        List<String> concepts = Files.readAllLines(Path.of(env("BENCH_CONCEPTS_FILE", "concepts.txt"))).stream()
                .filter(s -> !s.isBlank()).toList();
        int rounds = Integer.parseInt(env("BENCH_ROUNDS", "2"));
        List<Request> work = workload(concepts, rounds);
        long calls0 = okCalls();
        long[] sums = new long[4];
        BigDecimal usd = BigDecimal.ZERO;
        int failed = 0;
        Map<String, long[]> byType = new LinkedHashMap<>();
        Map<String, BigDecimal> usdByType = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        boolean batch = mode.equals("batch");
        List<String> ids = new ArrayList<>();
        if (batch) {
            // every job requested at once: they wait in claude-worker's queue for the next Message Batch
            for (Request q : work) {
                ids.add(post(new Request(q.label(), q.path(), q.body().replaceFirst("}$", ",\"priority\":\"batch\"}"))));
            }
        }
        for (int n = 0; n < work.size(); n++) {
            Request q = work.get(n);
            String id = batch ? ids.get(n) : post(q);
            JsonNode job = await(id);
            if (!"SUCCEEDED".equals(job.path("status").asText()) || job.path("costUsd").isMissingNode()) {
                failed++;
                System.err.printf("bench cost: job %s %s: %s%n", id, job.path("status").asText(), job.path("error").asText(""));
                continue;
            }
            JsonNode u = job.path("usage");
            long[] k = { u.path("inputTokens").asLong(), u.path("cacheCreationInputTokens").asLong(),
                    u.path("cacheReadInputTokens").asLong(), u.path("outputTokens").asLong() };
            long[] t = byType.computeIfAbsent(q.label(), x -> new long[5]);
            for (int i = 0; i < 4; i++) {
                sums[i] += k[i];
                t[i] += k[i];
            }
            t[4]++;
            BigDecimal cost = new BigDecimal(job.path("costUsd").asText());
            usd = usd.add(cost);
            usdByType.merge(q.label(), cost, BigDecimal::add);
        }
        long calls = okCalls() - calls0;
        StringBuilder line = new StringBuilder(String.format("%s jobs=%d failed=%d calls=%d input=%d cache_write=%d "
                + "cache_read=%d output=%d usd=%s seconds=%d", mode, work.size(), failed, calls, sums[0], sums[1], sums[2],
                sums[3], usd.toPlainString(), Duration.ofNanos(System.nanoTime() - t0).toSeconds()));
        for (Map.Entry<String, long[]> e : byType.entrySet()) {
            long[] t = e.getValue();
            line.append(String.format(" %s_jobs=%d %s_input=%d %s_cache_write=%d %s_cache_read=%d %s_output=%d %s_usd=%s",
                    e.getKey(), t[4], e.getKey(), t[0], e.getKey(), t[1], e.getKey(), t[2], e.getKey(), t[3], e.getKey(),
                    usdByType.get(e.getKey()).toPlainString()));
        }
        Files.writeString(Path.of(env("BENCH_RESULT_FILE", "result.txt")), line + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.err.println("bench cost: " + line);
    }

    static String post(Request q) throws Exception {
        HttpResponse<String> r = send("POST", GATEWAY + q.path(), q.body(), Map.of());
        if (r.statusCode() != 202) {
            throw new IllegalStateException(q.path() + " " + q.body() + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).path("id").asText();
    }

    static JsonNode await(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(env("BENCH_JOB_TIMEOUT", "180"))).toNanos();
        while (true) {
            HttpResponse<String> r = send("GET", GATEWAY + "/api/jobs/" + id, null, Map.of());
            JsonNode job = JSON.readTree(r.body());
            String status = job.path("status").asText();
            if (status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED")) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                return job;
            }
            Thread.sleep(100);
        }
    }

    /**
     * Messages calls the stand-in answered so far (repairs included): POST /v1/messages answered 200, and requests of
     * Message Batches answered (succeeded).
     */
    static long okCalls() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(STANDIN + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode stats = JSON.readTree(r.body());
        return stats.path("byStatus").path("200").asLong() + stats.path("batchRequests").asLong();
    }

    static HttpResponse<String> send(String method, String url, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        // the stack is shared: a restarted gateway (connection refused, 502/503) is waited for, up to a minute;
        // a POST is only repeated when it cannot have arrived (no connection)
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (!method.equals("GET") || (r.statusCode() != 502 && r.statusCode() != 503) || System.nanoTime() > deadline) {
                    return r;
                }
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(500);
        }
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
