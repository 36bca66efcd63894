package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.e2e.load.ConceptClient.Reply;
import io.dialectica.testsupport.TestJwt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream of writes through concept-service's HTTP API by several concurrent clients, each owning its own
 * concepts (so nothing is refused for a lost race): creates, renames, membership weight changes, categories
 * and relations added and removed, deletes, over a shared category vocabulary (categories shared between
 * concepts, descriptions filled in later). One successful write = one change group. Paced to a total rate.
 */
final class ChangeStorm implements AutoCloseable {

    private static final List<String> VOCABULARY = List.of("Being", "Nothing", "Becoming", "Quality", "Quantity", "Measure",
            "Essence", "Appearance", "Actuality", "Substance", "Causality", "Reciprocity", "Concept", "Judgement",
            "Syllogism", "Object", "Mechanism", "Chemism", "Teleology", "Idea", "Life", "Cognition", "Finitude",
            "Infinity", "Something", "Other", "Limit", "Identity", "Difference", "Contradiction", "Ground", "Form");
    private static final List<String> TYPES = List.of("IMPLIES", "PRESUPPOSES", "NEGATES", "CONTRADICTS", "SUBLATES",
            "GROUNDS", "ANALOGOUS_TO", "PART_OF", "OPPOSES", "EXEMPLIFIES");

    private final String baseUrl;
    private final int clients;
    private final double ratePerSecond;
    private final String run;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final Set<String> touched = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    ChangeStorm(String conceptServiceUrl, int clients, double ratePerSecond, String run) {
        this.baseUrl = conceptServiceUrl;
        this.clients = clients;
        this.ratePerSecond = ratePerSecond;
        this.run = run;
    }

    void start() {
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread thread = Thread.ofPlatform().name("storm-" + i).start(() -> write(client));
            threads.add(thread);
        }
    }

    int writes() {
        return writes.get();
    }

    int refused() {
        return refused.get();
    }

    Set<String> touched() {
        return touched;
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    void awaitWrites(int count) throws InterruptedException {
        while (writes.get() < count) {
            if (threads.stream().noneMatch(Thread::isAlive)) {
                throw new IllegalStateException("every writer stopped; problems: " + problems);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
    }

    /** One client's concept as it knows it: category name → id, relation id → (from, type, to). */
    private static final class Live {
        final String id;
        final Map<String, String> categories = new LinkedHashMap<>();
        final Map<String, String[]> relations = new LinkedHashMap<>();
        int renames;

        Live(String id) {
            this.id = id;
        }
    }

    private void write(int client) {
        Random random = new Random(client * 7919L + run.hashCode());
        List<Live> live = new ArrayList<>();
        long interval = (long) (1e9 * clients / ratePerSecond);
        long next = System.nanoTime();
        try (ConceptClient api = new ConceptClient(baseUrl, TestJwt.user("storm-" + run + "-" + client))) {
            while (!stop.get()) {
                long now = System.nanoTime();
                if (now < next) {
                    Thread.sleep((next - now) / 1_000_000, (int) ((next - now) % 1_000_000));
                }
                next += interval;
                try {
                    step(api, random, live);
                } catch (RuntimeException e) {
                    problems.add(e.toString());
                    if (problems.size() > 50) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void step(ConceptClient api, Random random, List<Live> live) {
        double r = random.nextDouble();
        if (live.size() < 4 || r < 0.05) {
            create(api, random, live);
            return;
        }
        Live concept = live.get(random.nextInt(live.size()));
        String path = "/api/concepts/" + concept.id;
        if (r < 0.08 && live.size() > 6) {
            if (count(api.delete(path))) {
                live.remove(concept);
            }
        } else if (r < 0.15) {
            Reply current = api.get(path);
            if (current.status() != 200) {
                problems.add("GET " + path + " answered " + current.status());
                return;
            }
            Map<String, Object> body = ConceptClient.JSON.convertValue(current.body(), Map.class);
            body.put("name", "Storm concept " + concept.id.substring(0, 8) + " rename " + (++concept.renames));
            body.put("description", random.nextBoolean() ? null : "Described " + concept.renames + " times");
            body.put("visibility", random.nextInt(4) == 0 ? "PRIVATE" : "PUBLIC");
            count(api.put(path, body, current.etag()));
        } else if (r < 0.45) {
            String categoryId = pick(random, concept.categories.values());
            count(api.put(path + "/categories/" + categoryId,
                    Map.of("weight", Math.round(random.nextDouble() * 100) / 100.0, "x", (double) random.nextInt(500)), null));
        } else if (r < 0.62) {
            String name = VOCABULARY.get(random.nextInt(VOCABULARY.size()));
            if (concept.categories.containsKey(name)) {
                return;
            }
            Map<String, Object> body = new HashMap<>(Map.of("name", name, "weight", 0.5));
            if (random.nextInt(3) == 0) {
                body.put("description", "The category " + name + " as " + run + " describes it");
            }
            Reply added = api.post(path + "/categories", body);
            if (count(added)) {
                concept.categories.put(name, added.id());
            }
        } else if (r < 0.74) {
            if (concept.categories.size() <= 2) {
                return;
            }
            String name = pick(random, concept.categories.keySet());
            if (count(api.delete(path + "/categories/" + concept.categories.get(name)))) {
                concept.categories.remove(name);
                concept.relations.values().removeIf(rel -> rel[0].equals(name) || rel[2].equals(name));
            }
        } else if (r < 0.90) {
            List<String> names = new ArrayList<>(concept.categories.keySet());
            String from = names.get(random.nextInt(names.size()));
            String to = names.get(random.nextInt(names.size()));
            String type = TYPES.get(random.nextInt(TYPES.size()));
            if (from.equals(to) || concept.relations.values().stream()
                    .anyMatch(rel -> rel[0].equals(from) && rel[1].equals(type) && rel[2].equals(to))) {
                return;
            }
            Reply added = api.post(path + "/relations", Map.of("from", from, "to", to, "type", type,
                    "weight", Math.round(random.nextDouble() * 100) / 100.0, "rationale", "because " + random.nextInt(1000)));
            if (count(added)) {
                concept.relations.put(added.id(), new String[] {from, type, to});
            }
        } else if (!concept.relations.isEmpty()) {
            String relationId = pick(random, concept.relations.keySet());
            if (count(api.delete(path + "/relations/" + relationId))) {
                concept.relations.remove(relationId);
            }
        }
    }

    private void create(ConceptClient api, Random random, List<Live> live) {
        List<String> names = new ArrayList<>(VOCABULARY);
        java.util.Collections.shuffle(names, random);
        List<String> chosen = names.subList(0, 3 + random.nextInt(2));
        List<Map<String, Object>> categories = chosen.stream()
                .map(n -> Map.<String, Object>of("name", n, "weight", Math.round(random.nextDouble() * 100) / 100.0)).toList();
        Reply created = api.post("/api/concepts", Map.of(
                "name", "Storm concept " + run, "tradition", random.nextBoolean() ? "Hegelian" : "Kantian",
                "visibility", random.nextInt(4) == 0 ? "PRIVATE" : "PUBLIC",
                "description", "Created by the change storm of run " + run,
                "categories", categories,
                "relations", List.of(Map.of("from", chosen.get(0), "to", chosen.get(1), "type", TYPES.get(random.nextInt(TYPES.size())),
                        "rationale", "first relation"))));
        if (count(created)) {
            Live concept = new Live(created.id());
            touched.add(concept.id);
            for (JsonNode c : created.body().path("categories")) {
                concept.categories.put(c.path("name").asText(), c.path("id").asText());
            }
            for (JsonNode rel : created.body().path("relations")) {
                concept.relations.put(rel.path("id").asText(),
                        new String[] {rel.path("from").asText(), rel.path("type").asText(), rel.path("to").asText()});
            }
            live.add(concept);
        }
    }

    private boolean count(Reply reply) {
        if (reply.ok()) {
            writes.incrementAndGet();
            return true;
        }
        refused.incrementAndGet();
        if (reply.status() >= 500) {
            problems.add("status " + reply.status() + ": " + reply.body());
        }
        return false;
    }

    private static String pick(Random random, java.util.Collection<String> values) {
        int index = random.nextInt(values.size());
        for (String value : values) {
            if (index-- == 0) {
                return value;
            }
        }
        throw new IllegalStateException("empty");
    }
}
