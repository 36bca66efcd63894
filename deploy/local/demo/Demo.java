// ./dialectica demo — the newcomer's first five minutes, through the public API of the gateway only.
//
// Run by ./dialectica demo (after ./dialectica up) as `java deploy/local/demo/Demo.java`, single-file
// source, no dependencies: java.net.http for HTTP and the WebSocket, a small JSON reader/writer below.
// Environment: DIALECTICA_GATEWAY (default http://127.0.0.1:8080), DIALECTICA_TOKEN (a JWT, from
// ./dialectica token demo), DEMO_TIMEOUT_SECONDS (default 300), DEMO_THESES (theses per concept, default 3).
//
// 1. creates three well-known concepts for the user (skipped when the user already has one by that name):
//    Hegel's Being–Nothing–Becoming, Kant's table of categories (the first three titles), Aristotle's four causes;
// 2. requests theses for each (POST /api/concepts/{id}/theses) and one dialectical synthesis of Hegel and
//    Aristotle (POST /api/syntheses), following every job on the WebSocket /ws/jobs as it streams;
// 3. prints the stored theses (GET /api/concepts/{id}/theses) and the proposed concept (GET /api/syntheses/{id}).

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

public class Demo {

    static final String GATEWAY = env("DIALECTICA_GATEWAY", "http://127.0.0.1:8080").replaceAll("/+$", "");
    static final String TOKEN = env("DIALECTICA_TOKEN", "");
    static final long TIMEOUT_SECONDS = Long.parseLong(env("DEMO_TIMEOUT_SECONDS", "300"));
    static final int THESES = Integer.parseInt(env("DEMO_THESES", "3"));
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final boolean COLOR = System.console() != null && System.getenv("NO_COLOR") == null;

    // ---------------------------------------------------------------------------------------------
    // the concepts (concept-service's POST /api/concepts body)

    static final String HEGEL = """
        {
          "name": "Being, Nothing, Becoming",
          "tradition": "German Idealism",
          "visibility": "PUBLIC",
          "description": "The opening triad of Hegel's Science of Logic (1812; Encyclopaedia §§86-88). Pure being, the indeterminate immediate, proves to be exactly as empty as pure nothing, and each has already passed over into the other. Their truth is this movement of vanishing: becoming, with its two directions of coming-to-be and ceasing-to-be, which settles into its stable result, determinate being (Dasein).",
          "categories": [
            {"name": "Being", "weight": 0.9, "description": "Pure being: the indeterminate immediate, without any further determination, equal only to itself."},
            {"name": "Nothing", "weight": 0.9, "description": "Pure nothing: complete emptiness, the absence of all determination and content, and so the same lack of determination as pure being."},
            {"name": "Becoming", "weight": 1.0, "description": "The unity of being and nothing, not as a resting sameness but as the movement in which each immediately vanishes into the other."},
            {"name": "Coming-to-be", "weight": 0.6, "description": "Becoming in the direction from nothing to being."},
            {"name": "Ceasing-to-be", "weight": 0.6, "description": "Becoming in the direction from being to nothing."},
            {"name": "Determinate being", "weight": 0.7, "description": "Dasein: the quiescent unity into which becoming collapses, being with a determinacy, that is, a quality."}
          ],
          "relations": [
            {"from": "Nothing", "to": "Being", "type": "NEGATES", "weight": 0.9, "rationale": "Nothing is the immediate negation of pure being; yet, being just as empty, it is the same as being."},
            {"from": "Being", "to": "Nothing", "type": "OPPOSES", "weight": 0.8, "rationale": "Being and nothing are absolutely distinct and yet unseparated: nothing but their opposition holds them apart."},
            {"from": "Becoming", "to": "Being", "type": "SUBLATES", "weight": 1.0, "rationale": "In becoming, being is no longer self-standing but a vanishing moment, cancelled and preserved."},
            {"from": "Becoming", "to": "Nothing", "type": "SUBLATES", "weight": 1.0, "rationale": "In becoming, nothing is likewise only a moment that passes over into being."},
            {"from": "Coming-to-be", "to": "Becoming", "type": "PART_OF", "weight": 0.7, "rationale": "Coming-to-be is one of the two directions in which becoming takes place."},
            {"from": "Ceasing-to-be", "to": "Becoming", "type": "PART_OF", "weight": 0.7, "rationale": "Ceasing-to-be is the other direction of becoming."},
            {"from": "Coming-to-be", "to": "Ceasing-to-be", "type": "OPPOSES", "weight": 0.6, "rationale": "The two directions interpenetrate and paralyse each other, which brings becoming to rest."},
            {"from": "Determinate being", "to": "Becoming", "type": "SUBLATES", "weight": 0.8, "rationale": "Becoming vanishes into its result: the settled unity of being and nothing is determinate being."}
          ]
        }
        """;

    static final String KANT = """
        {
          "name": "Kant's Table of Categories",
          "tradition": "Transcendental Idealism",
          "visibility": "PUBLIC",
          "description": "The pure concepts of the understanding of the Critique of Pure Reason (A80/B106), derived from the logical functions of judgement and ordered under the titles of quantity, quality, relation and modality. They are the a priori conditions under which a manifold of intuition can be thought as an object of experience at all. Here the first three titles, with the relation Kant points out himself (B110-111): the third category of each title arises from combining the first two.",
          "categories": [
            {"name": "Unity", "weight": 0.6, "description": "Quantity: the category of the universal judgement, one as a measure."},
            {"name": "Plurality", "weight": 0.6, "description": "Quantity: the category of the particular judgement, many units."},
            {"name": "Totality", "weight": 0.7, "description": "Quantity: plurality considered as unity (B111)."},
            {"name": "Reality", "weight": 0.7, "description": "Quality: the category of the affirmative judgement, that which corresponds to a sensation in general."},
            {"name": "Negation", "weight": 0.6, "description": "Quality: the category of the negative judgement, the concept of a not-being."},
            {"name": "Limitation", "weight": 0.6, "description": "Quality: reality combined with negation (B111)."},
            {"name": "Substance", "weight": 0.9, "description": "Relation: inherence and subsistence, that which persists while its determinations change."},
            {"name": "Causality", "weight": 0.9, "description": "Relation: cause and dependence, the rule by which something follows necessarily upon something else."},
            {"name": "Community", "weight": 0.7, "description": "Relation: reciprocity between agent and patient, the causality of substances determining one another."}
          ],
          "relations": [
            {"from": "Unity", "to": "Totality", "type": "PART_OF", "weight": 0.7, "rationale": "Totality is plurality considered as unity: unity is one of its two moments."},
            {"from": "Plurality", "to": "Totality", "type": "PART_OF", "weight": 0.7, "rationale": "Totality is plurality considered as unity: plurality is its other moment."},
            {"from": "Negation", "to": "Reality", "type": "NEGATES", "weight": 0.8, "rationale": "Negation is the concept of the not-being that the negative judgement sets against reality."},
            {"from": "Limitation", "to": "Reality", "type": "PRESUPPOSES", "weight": 0.7, "rationale": "Limitation is reality combined with negation: without a reality there is nothing to limit."},
            {"from": "Limitation", "to": "Negation", "type": "PRESUPPOSES", "weight": 0.7, "rationale": "Limitation is reality combined with negation: the limit is a negation of reality."},
            {"from": "Causality", "to": "Substance", "type": "PRESUPPOSES", "weight": 0.9, "rationale": "Only what persists can alter: cause and effect are determinations of substances (First Analogy)."},
            {"from": "Community", "to": "Causality", "type": "PRESUPPOSES", "weight": 0.8, "rationale": "Community is causality made reciprocal: substances each the cause of determinations in the other (Third Analogy)."},
            {"from": "Community", "to": "Substance", "type": "PRESUPPOSES", "weight": 0.7, "rationale": "Only substances can stand in thoroughgoing reciprocal determination."}
          ]
        }
        """;

    static final String ARISTOTLE = """
        {
          "name": "Aristotle's Four Causes",
          "tradition": "Aristotelianism",
          "visibility": "PUBLIC",
          "description": "Aristotle's account, in Physics II.3 and Metaphysics V.2, of what it is to know why something is: there are four ways of answering 'why?' (four aitiai) - that out of which a thing comes to be, its form or essence, the primary source of its change, and that for the sake of which it is. A full explanation of a natural thing or an artefact names all four; in nature the formal, efficient and final causes often coincide.",
          "categories": [
            {"name": "Material cause", "weight": 0.8, "description": "That out of which a thing comes to be and which persists in it, as the bronze of a statue."},
            {"name": "Formal cause", "weight": 0.9, "description": "The form, the account of what it is to be the thing, as the shape of the statue or the ratio 2:1 of the octave."},
            {"name": "Efficient cause", "weight": 0.8, "description": "The primary source of change or rest, as the sculptor of the statue or the father of the child."},
            {"name": "Final cause", "weight": 1.0, "description": "The end, that for the sake of which a thing is or is done, as health is the end of walking."},
            {"name": "Nature", "weight": 0.7, "description": "Physis: an inner principle of motion and rest; nature is both matter and form, and form more than matter."}
          ],
          "relations": [
            {"from": "Final cause", "to": "Efficient cause", "type": "GROUNDS", "weight": 0.8, "rationale": "The agent acts for the sake of an end: one walks in order to be healthy."},
            {"from": "Formal cause", "to": "Material cause", "type": "GROUNDS", "weight": 0.8, "rationale": "Matter is potentially what form makes it actually: the bronze is a statue only through its shape."},
            {"from": "Efficient cause", "to": "Material cause", "type": "PRESUPPOSES", "weight": 0.6, "rationale": "A source of change acts on something that can be changed: the sculptor needs bronze."},
            {"from": "Final cause", "to": "Formal cause", "type": "ANALOGOUS_TO", "weight": 0.7, "rationale": "In natural things what a thing is and what it is for often coincide (Physics II.7)."},
            {"from": "Material cause", "to": "Nature", "type": "PART_OF", "weight": 0.6, "rationale": "In one sense nature is the underlying matter of things that have a source of motion in themselves."},
            {"from": "Formal cause", "to": "Nature", "type": "PART_OF", "weight": 0.8, "rationale": "In the primary sense nature is the form, for a thing is more what it is when it has attained its form."}
          ]
        }
        """;

    // ---------------------------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        if (TOKEN.isBlank()) {
            die("no token: run it as ./dialectica demo (or set DIALECTICA_TOKEN=$(./dialectica token demo))");
        }
        title("Dialectica demo against " + GATEWAY);

        // 1. concepts
        section("1. Concepts (POST /api/concepts, skipped when you already have one by that name)");
        Map<String, String> existing = myConcepts();
        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, String> tokens = new java.util.HashMap<>();
        for (String body : List.of(HEGEL, KANT, ARISTOTLE)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> concept = (Map<String, Object>) Json.parse(body);
            String name = (String) concept.get("name");
            String id = existing.get(name);
            String token = null;
            if (id != null) {
                say("  exists   %s  %s", id, name);
            } else {
                Response r = send("POST", "/api/concepts", Json.write(concept), Map.of());
                expect(r, 201, "creating " + name);
                id = str(r.json(), "id");
                token = r.headers().firstValue("x-consistency-token").orElse(null);
                say("  created  %s  %s (%d categories, %d relations)", id, name,
                        list(concept, "categories").size(), list(concept, "relations").size());
            }
            ids.put(name, id);
            tokens.put(id, token);
        }
        // the worker reads a concept's graph from graph-service, fed by the change stream: wait until each
        // concept is there (read-your-writes: the consistency token of the write makes the read wait for it)
        for (Map.Entry<String, String> c : ids.entrySet()) {
            waitForGraph(c.getValue(), tokens.get(c.getValue()));
        }

        // 2. jobs, followed live
        section("2. Generation jobs, followed on " + wsUrl("/ws/jobs") + "?access_token=…");
        Live live = Live.connect();
        Map<String, Job> jobs = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : ids.entrySet()) {
            Response r = send("POST", "/api/concepts/" + c.getValue() + "/theses",
                    Json.write(Map.of("count", THESES, "language", "en")), Map.of());
            expect(r, 202, "requesting theses for " + c.getKey());
            Job job = new Job(jobId(r), "theses    " + shortName(c.getKey()), c.getValue(), null);
            jobs.put(job.id, job);
            say("  queued   %s  %d theses on \"%s\"", job.id, THESES, c.getKey());
            live.subscribe(job.id);
        }
        List<String> pair = List.of(ids.get("Being, Nothing, Becoming"), ids.get("Aristotle's Four Causes"));
        Response s = send("POST", "/api/syntheses", Json.write(Map.of("conceptIds", pair, "mode", "dialectical")), Map.of());
        expect(s, 202, "requesting the synthesis");
        Job synthesis = new Job(jobId(s), "synthesis Hegel x Aristotle", null, "dialectical");
        jobs.put(synthesis.id, synthesis);
        say("  queued   %s  dialectical synthesis of \"Being, Nothing, Becoming\" and \"Aristotle's Four Causes\"", synthesis.id);
        live.subscribe(synthesis.id);

        say("");
        live.follow(jobs, TIMEOUT_SECONDS);
        live.close();

        // 3. results
        section("3. Results");
        boolean allOk = true;
        for (Job job : jobs.values()) {
            if (!"SUCCEEDED".equals(job.status)) {
                allOk = false;
                say("%s: %s%s", job.label.strip(), job.status == null ? "no final status within " + TIMEOUT_SECONDS + " s" : job.status,
                        job.message == null ? "" : " - " + job.message);
                continue;
            }
            if (job.conceptId != null) {
                printTheses(job);
            } else {
                printSynthesis(job);
            }
        }
        printCosts(jobs.values());
        say("");
        if (!allOk) {
            die("not every job succeeded (./dialectica logs thesis-service, ./dialectica logs claude-worker)");
        }
        if (jobs.values().stream().anyMatch(j -> Boolean.TRUE.equals(j.cacheHit))) {
            say("Some answers came from claude-worker's response cache (the same graph, prompt and parameters were answered"
                    + " before); DEMO_THESES=4 ./dialectica demo asks for something new.");
        }
        say(COLOR ? "\033[1mDone.\033[0m Run it again: the concepts are reused, new jobs are made." : "Done. Run it again: the concepts are reused, new jobs are made.");
    }

    // ---------------------------------------------------------------------------------------------
    // the steps

    static Map<String, String> myConcepts() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (int page = 0; page < 50; page++) {
            Response r = send("GET", "/api/concepts?owner=" + enc(subject()) + "&size=100&page=" + page, null, Map.of());
            expect(r, 200, "listing your concepts");
            for (Object item : list(r.json(), "items")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) item;
                out.putIfAbsent(str(m, "name"), str(m, "id"));
            }
            Object totalPages = ((Map<?, ?>) r.json()).get("totalPages");
            if (!(totalPages instanceof Number n) || page + 1 >= n.intValue()) {
                break;
            }
        }
        return out;
    }

    static void waitForGraph(String id, String consistencyToken) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int last = 0;
        while (System.nanoTime() < deadline) {
            Response r = send("GET", "/api/graph/concepts/" + id, null,
                    consistencyToken == null ? Map.of() : Map.of("X-Consistency-Token", consistencyToken));
            last = r.status();
            if (r.status() == 200) {
                say("  in the graph: %s (%d categories)", id, list(r.json(), "categories").size());
                return;
            }
            Thread.sleep(500);
        }
        say("  warning: %s is not in graph-service after 60 s (last answer %d): its jobs may fail"
                + " (./dialectica logs cdc-connector, ./dialectica logs graph-service)", id, last);
    }

    static void printTheses(Job job) throws Exception {
        Response r = send("GET", "/api/concepts/" + job.conceptId + "/theses", null, Map.of());
        expect(r, 200, "reading the theses");
        // the caller's theses about the concept, one group per job, newest first: this job's group
        List<Object> theses = new ArrayList<>();
        for (Object group : list(r.json(), "jobs")) {
            if (job.id.equals(str(group, "jobId"))) {
                collectTheses(((Map<?, ?>) group).get("theses"), theses);
                job.generatedBy = first(str(group, "generatedBy"), job.generatedBy);
                if (((Map<?, ?>) group).get("cacheHit") instanceof Boolean b) {
                    job.cacheHit = b;
                }
            }
        }
        if (theses.isEmpty()) {
            collectTheses(r.json(), theses);
        }
        say("");
        header("Theses on \"" + job.label.substring("theses    ".length()).strip() + "\"" + origin(job));
        int i = 0;
        for (Object t : theses) {
            i++;
            Object ord = t instanceof Map<?, ?> m ? (m.get("order") != null ? m.get("order") : m.get("ord")) : null;
            wrap(String.format("%2s. ", ord instanceof Number n ? n.intValue() : i), str(t, "text"));
            if (str(t, "rationale") != null) {
                wrap("    why: ", str(t, "rationale"));
            }
            Object cats = t instanceof Map<?, ?> m ? m.get("categories") : null;
            if (cats instanceof List<?> l && !l.isEmpty()) {
                say("    rests on: %s", String.join(", ", l.stream().map(String::valueOf).toList()));
            }
        }
        if (theses.isEmpty()) {
            say("  (no theses in the answer: %s)", r.body());
        }
    }

    static void collectTheses(Object json, List<Object> out) {
        if (json instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m && m.containsKey("text")) {
                    out.add(o);
                } else {
                    collectTheses(o, out);
                }
            }
        } else if (json instanceof Map<?, ?> m) {
            for (String key : List.of("items", "theses", "jobs", "results")) {
                if (m.get(key) != null) {
                    collectTheses(m.get(key), out);
                }
            }
        }
    }

    static void printSynthesis(Job job) throws Exception {
        String url = job.resultUrl != null && job.resultUrl.startsWith("/api/syntheses/") ? job.resultUrl : null;
        if (url == null) {
            Response j = send("GET", "/api/jobs/" + job.id, null, Map.of());
            expect(j, 200, "reading the synthesis job");
            url = str(j.json(), "resultUrl");
            if (url == null) {
                url = "/api/syntheses/" + job.id;
            }
        }
        Response r = send("GET", url, null, Map.of());
        expect(r, 200, "reading the synthesis " + url);
        Object s = r.json();
        Object concept = s;
        for (String key : List.of("proposedConcept", "proposed", "concept")) {
            if (s instanceof Map<?, ?> m && m.get(key) instanceof Map<?, ?> c) {
                concept = c;
                break;
            }
        }
        job.generatedBy = first(str(s, "generatedBy"), job.generatedBy);
        say("");
        header("Synthesis (" + job.mode + ")" + origin(job) + ": " + first(str(concept, "name"), str(s, "name")));
        String tradition = first(str(concept, "tradition"), str(s, "tradition"));
        if (tradition != null) {
            say("  tradition: %s", tradition);
        }
        wrap("  ", first(str(concept, "description"), str(s, "description")));
        say("  categories:");
        for (Object c : listOr(concept, s, "categories")) {
            Object w = c instanceof Map<?, ?> m ? m.get("weight") : null;
            wrap(String.format("   - %-22s %s  ", str(c, "name"), w instanceof Number n ? String.format("%.2f", n.doubleValue()) : "    "),
                    str(c, "description"));
        }
        say("  relations:");
        for (Object rel : listOr(concept, s, "relations")) {
            say("   - %s %s %s", str(rel, "from"), str(rel, "type"), str(rel, "to"));
            if (str(rel, "rationale") != null) {
                wrap("       ", str(rel, "rationale"));
            }
        }
        Object usage = s instanceof Map<?, ?> m ? m.get("interactions") : null;
        if (usage instanceof Map<?, ?> u && u.get("calls") instanceof Number calls) {
            say("  made with %d Claude call%s: %s input / %s output tokens, %s ms%s", calls.intValue(), calls.intValue() == 1 ? "" : "s",
                    u.get("inputTokens"), u.get("outputTokens"), u.get("latencyMs"),
                    u.get("estimatedCostUsd") instanceof Number c && c.doubleValue() > 0 ? String.format(", ~$%.4f", c.doubleValue()) : "");
        }
        say("  to keep it as a concept of your own: POST the \"proposedConcept\" of GET %s to /api/concepts", url);
    }

    /**
     * 4. What each job cost: GET /api/jobs/{id} has the Claude calls' usage (tokens by kind: uncached input,
     * prompt-cache writes and reads, output) and costUsd (claude-worker's price table applied to it; the
     * stand-in's answers are priced as the model it plays); then the user's monthly budget.
     */
    static void printCosts(java.util.Collection<Job> all) throws Exception {
        section("4. Cost");
        say("  %-36s %8s %8s %8s %8s %12s", "job", "input", "cache-w", "cache-r", "output", "USD");
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        String user = null;
        for (Job job : all) {
            Response r = send("GET", "/api/jobs/" + job.id, null, Map.of());
            if (r.status() != 200) {
                say("  %-36s (GET /api/jobs/%s: %d)", job.label.strip(), job.id, r.status());
                continue;
            }
            user = first(user, str(r.json(), "requestedBy"));
            Object usage = r.json() instanceof Map<?, ?> m ? m.get("usage") : null;
            Object cost = r.json() instanceof Map<?, ?> m ? m.get("costUsd") : null;
            if (!(usage instanceof Map<?, ?> u) || !(cost instanceof Number c)) {
                say("  %-36s %s", job.label.strip(), "no cost recorded (" + str(r.json(), "status") + ")");
                continue;
            }
            java.math.BigDecimal usd = new java.math.BigDecimal(c.toString());
            total = total.add(usd);
            say("  %-36s %8s %8s %8s %8s %12s%s", job.label.strip(), u.get("inputTokens"), u.get("cacheCreationInputTokens"),
                    u.get("cacheReadInputTokens"), u.get("outputTokens"), String.format("%.6f", usd),
                    Boolean.TRUE.equals(job.cacheHit) ? "  (response cache: free)" : "");
        }
        say("  %-36s %8s %8s %8s %8s %12s", "total", "", "", "", "", String.format("%.6f", total));
        if (all.stream().anyMatch(j -> "stand-in".equals(j.generatedBy))) {
            say("  (the stand-in answered: priced as the model it plays, claude-worker's dialectica.worker.prices)");
        }
        if (user != null) {
            Response b = send("GET", "/api/jobs/budgets/" + enc(user), null, Map.of());
            if (b.status() == 200) {
                say("  budget of %s this month: USD %s, spent %s, held by running jobs %s, remaining %s; resets %s", user,
                        str(b.json(), "monthlyUsd"), str(b.json(), "spentUsd"), str(b.json(), "heldUsd"),
                        str(b.json(), "remainingUsd"), str(b.json(), "resetAt"));
            }
        }
    }

    static String origin(Job job) {
        return job.generatedBy == null ? "" : " [" + job.generatedBy + (Boolean.TRUE.equals(job.cacheHit) ? ", cached" : "") + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // jobs on the WebSocket

    static final class Job {
        final String id;
        final String label;
        final String conceptId;
        final String mode;
        String status;
        String message;
        String resultUrl;
        String generatedBy;
        Boolean cacheHit;
        int lastTokens = -1;

        Job(String id, String label, String conceptId, String mode) {
            this.id = id;
            this.label = label;
            this.conceptId = conceptId;
            this.mode = mode;
        }

        boolean done() {
            return status != null && List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status);
        }
    }

    static final class Live implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        static Live connect() throws Exception {
            Live live = new Live();
            try {
                live.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(URI.create(wsUrl("/ws/jobs") + "?access_token=" + enc(TOKEN)), live)
                        .get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                die("cannot open the WebSocket " + wsUrl("/ws/jobs") + ": " + e.getCause());
            }
            return live;
        }

        void subscribe(String jobId) {
            socket.sendText(Json.write(Map.of("action", "subscribe", "jobId", jobId)), true).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                inbox.add(new Received(LocalTime.now(), partial.toString()));
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            inbox.add(new Closed(status, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            inbox.add(new Closed(-1, String.valueOf(error)));
        }

        record Closed(int status, String reason) {
        }

        record Received(LocalTime at, String text) {
        }

        /** Prints every event until each job has a final status (or the time is up). */
        void follow(Map<String, Job> jobs, long timeoutSeconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            int width = jobs.values().stream().mapToInt(j -> j.label.length()).max().orElse(10);
            while (jobs.values().stream().anyMatch(j -> !j.done())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    say("  ... no final status for every job within %d s (DEMO_TIMEOUT_SECONDS)", timeoutSeconds);
                    return;
                }
                Object next = inbox.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    continue;
                }
                if (next instanceof Closed c) {
                    say("  WebSocket closed (%d %s)", c.status(), c.reason());
                    return;
                }
                Received received = (Received) next;
                Object event;
                try {
                    event = Json.parse(received.text());
                } catch (IllegalArgumentException e) {
                    say("  (unreadable event: %s)", next);
                    continue;
                }
                Job job = jobs.get(str(event, "jobId"));
                String type = str(event, "type");
                String status = str(event, "status");
                String label = job == null ? String.valueOf(str(event, "jobId")) : job.label;
                StringBuilder line = new StringBuilder();
                line.append(String.format("  %s  %-" + width + "s  %-8s %-9s", received.at().format(TIME), label,
                        type, status == null ? "" : status));
                switch (type == null ? "" : type) {
                    case "progress" -> {
                        Object tokens = ((Map<?, ?>) event).get("outputTokens");
                        line.append(String.format(" %-22s", str(event, "phase") == null ? "" : str(event, "phase")));
                        if (tokens instanceof Number n) {
                            line.append(String.format(" %5d tokens so far", n.intValue()));
                            if (job != null) {
                                job.lastTokens = n.intValue();
                            }
                        }
                        if (str(event, "message") != null) {
                            line.append("  ").append(str(event, "message"));
                        }
                    }
                    case "result" -> line.append(" -> ").append(str(event, "resultUrl"));
                    case "error" -> line.append(" ").append(first(str(event, "message"), str(event, "code"), ""));
                    default -> {
                        if (str(event, "phase") != null) {
                            line.append(" ").append(str(event, "phase"));
                        }
                        Object attempt = ((Map<?, ?>) event).get("attempt");
                        if (attempt instanceof Number n && n.intValue() > 0) {
                            line.append(" (attempt ").append(n.intValue()).append(')');
                        }
                        if (str(event, "message") != null) {
                            line.append("  ").append(str(event, "message"));
                        }
                    }
                }
                say("%s", color(type, line.toString()));
                if (job != null) {
                    if (status != null) {
                        job.status = status;
                    }
                    if (str(event, "resultUrl") != null) {
                        job.resultUrl = str(event, "resultUrl");
                    }
                    if (str(event, "message") != null && ("error".equals(type) || "FAILED".equals(status))) {
                        job.message = str(event, "message");
                    }
                    if ("error".equals(type) && str(event, "code") != null && status == null) {
                        job.status = "FAILED"; // the gateway refused the subscription
                        job.message = str(event, "code") + ": " + str(event, "message");
                    }
                    Object jobJson = ((Map<?, ?>) event).get("job");
                    if (jobJson instanceof Map<?, ?> jm) {
                        if (jm.get("generatedBy") instanceof String g) {
                            job.generatedBy = g;
                        }
                        if (jm.get("cacheHit") instanceof Boolean b) {
                            job.cacheHit = b;
                        }
                    }
                }
            }
            // how the results were made (generatedBy, cache) for the headings
            for (Job job : jobs.values()) {
                if (job.generatedBy == null && "SUCCEEDED".equals(job.status)) {
                    Response r = send("GET", "/api/jobs/" + job.id, null, Map.of());
                    if (r.status() == 200) {
                        job.generatedBy = str(r.json(), "generatedBy");
                        Object c = r.json() instanceof Map<?, ?> m ? m.get("cacheHit") : null;
                        job.cacheHit = c instanceof Boolean b ? b : null;
                        if (job.resultUrl == null) {
                            job.resultUrl = str(r.json(), "resultUrl");
                        }
                    }
                }
            }
        }

        void close() {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "demo done").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.S");

    // ---------------------------------------------------------------------------------------------
    // HTTP

    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        Object json() {
            return body == null || body.isBlank() ? null : Json.parse(body);
        }
    }

    static Response send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GATEWAY + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (ConnectException e) {
            die("the gateway does not answer at " + GATEWAY + ": is the stack up? (./dialectica up)");
            return null;
        } catch (IOException e) {
            die(method + " " + path + " failed: " + e);
            return null;
        }
    }

    static void expect(Response r, int status, String what) {
        if (r.status() != status) {
            String hint = switch (r.status()) {
                case 401 -> " (the token was refused: ./dialectica token demo)";
                case 404 -> " (is the service behind this path running? ./dialectica status)";
                case 502, 503, 504 -> " (a service behind the gateway is down or slow: ./dialectica status)";
                default -> "";
            };
            die(what + ": expected " + status + ", got " + r.status() + hint + "\n  " + r.body());
        }
    }

    static String jobId(Response r) {
        Object json = r.json();
        String id = first(str(json, "jobId"), str(json, "id"));
        if (id == null && json instanceof Map<?, ?> m && m.get("job") instanceof Map<?, ?> job) {
            id = first(str(job, "jobId"), str(job, "id"));
        }
        if (id == null) {
            die("the 202 answer names no job id: " + r.body());
        }
        return id;
    }

    /** The token's subject (its payload is base64url JSON): to list only the user's own concepts. */
    static String subject() {
        String[] parts = TOKEN.split("\\.");
        if (parts.length < 2) {
            die("DIALECTICA_TOKEN is not a JWT");
        }
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        return str(Json.parse(payload), "sub");
    }

    static String wsUrl(String path) {
        return GATEWAY.replaceFirst("^http", "ws") + path;
    }

    // ---------------------------------------------------------------------------------------------
    // output

    static void title(String s) {
        say(COLOR ? "\033[1m%s\033[0m" : "%s", s);
    }

    static void section(String s) {
        say("");
        say(COLOR ? "\033[1;34m%s\033[0m" : "== %s", s);
    }

    static void header(String s) {
        say(COLOR ? "\033[1m%s\033[0m" : "-- %s", s);
    }

    static String color(String type, String line) {
        if (!COLOR) {
            return line;
        }
        return switch (type == null ? "" : type) {
            case "result" -> "\033[32m" + line + "\033[0m";
            case "error" -> "\033[31m" + line + "\033[0m";
            case "progress" -> "\033[2m" + line + "\033[0m";
            default -> line;
        };
    }

    /** Prints text wrapped at 100 columns, the first line after {@code prefix}, the others indented as much. */
    static void wrap(String prefix, String text) {
        if (text == null) {
            return;
        }
        int width = Math.max(40, 100 - prefix.length());
        String indent = " ".repeat(prefix.length());
        StringBuilder line = new StringBuilder();
        String lead = prefix;
        for (String word : text.strip().split("\\s+")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                say("%s%s", lead, line);
                lead = indent;
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (!line.isEmpty()) {
            say("%s%s", lead, line);
        }
    }

    static void say(String format, Object... args) {
        System.out.println(args.length == 0 ? format : String.format(format, args));
        System.out.flush();
    }

    static void die(String message) {
        System.out.flush();
        System.err.println("demo: error: " + message);
        System.exit(1);
    }

    // ---------------------------------------------------------------------------------------------
    // small helpers

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String shortName(String name) {
        return name.length() <= 28 ? name : name.substring(0, 27) + "…";
    }

    static String str(Object json, String key) {
        if (json instanceof Map<?, ?> m && m.get(key) != null) {
            Object v = m.get(key);
            return v instanceof String s ? s : String.valueOf(v);
        }
        return null;
    }

    static List<?> list(Object json, String key) {
        return json instanceof Map<?, ?> m && m.get(key) instanceof List<?> l ? l : List.of();
    }

    static List<?> listOr(Object a, Object b, String key) {
        List<?> l = list(a, key);
        return l.isEmpty() ? list(b, key) : l;
    }

    @SafeVarargs
    static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** Just enough JSON: objects (insertion-ordered maps), arrays, strings, numbers, booleans, null. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json p = new Json(text);
            p.ws();
            Object v = p.value();
            p.ws();
            if (p.i != p.s.length()) {
                throw new IllegalArgumentException("trailing characters at " + p.i);
            }
            return v;
        }

        private Object value() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) {
                        return m;
                    }
                    do {
                        ws();
                        String k = string();
                        ws();
                        eat(':');
                        ws();
                        m.put(k, value());
                        ws();
                    } while (peek(','));
                    eat('}');
                    return m;
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) {
                        return l;
                    }
                    do {
                        ws();
                        l.add(value());
                        ws();
                    } while (peek(','));
                    eat(']');
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("true", i)) {
                        i += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", i)) {
                        i += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    if (start == i) {
                        throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
                    }
                    String n = s.substring(start, i);
                    return n.matches("-?\\d{1,18}") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
                }
            }
        }

        private String string() {
            eat('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void eat(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }

        static String write(Object v) {
            StringBuilder b = new StringBuilder();
            write(v, b);
            return b.toString();
        }

        private static void write(Object v, StringBuilder b) {
            if (v == null) {
                b.append("null");
            } else if (v instanceof String str) {
                b.append('"');
                for (char c : str.toCharArray()) {
                    switch (c) {
                        case '"' -> b.append("\\\"");
                        case '\\' -> b.append("\\\\");
                        case '\n' -> b.append("\\n");
                        case '\r' -> b.append("\\r");
                        case '\t' -> b.append("\\t");
                        default -> {
                            if (c < 0x20) {
                                b.append(String.format("\\u%04x", (int) c));
                            } else {
                                b.append(c);
                            }
                        }
                    }
                }
                b.append('"');
            } else if (v instanceof Map<?, ?> m) {
                b.append('{');
                boolean firstEntry = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!firstEntry) {
                        b.append(',');
                    }
                    firstEntry = false;
                    write(String.valueOf(e.getKey()), b);
                    b.append(':');
                    write(e.getValue(), b);
                }
                b.append('}');
            } else if (v instanceof List<?> l) {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) {
                        b.append(',');
                    }
                    write(l.get(k), b);
                }
                b.append(']');
            } else {
                b.append(v); // numbers, booleans
            }
        }
    }
}
