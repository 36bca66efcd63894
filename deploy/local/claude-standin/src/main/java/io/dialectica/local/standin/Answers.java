package io.dialectica.local.standin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stand-in's deterministic "model": it reads the Dialectica context (a fenced {@code ```json}
 * block in the conversation) and the requested output schema, and writes an answer built from the
 * concept graph: theses from its relations and central categories ({@code dialectica.theses.v1}), or a
 * proposed concept merging the sources ({@code dialectica.synthesis.v1}). The same prompt gives the
 * same text: every choice is seeded from a hash of the context. A repair prompt (the validation errors
 * plus the same context) gets the same, valid, answer. A prompt without a schema gets a short plain
 * reply.
 */
final class Answers {

    static final String THESES_SCHEMA = "dialectica.theses.v1";
    static final String SYNTHESIS_SCHEMA = "dialectica.synthesis.v1";
    static final int MAX_THESES = 50;
    /** a synthesis keeps the most central categories of each source, at most this many */
    static final int MAX_SYNTHESIS_CATEGORIES_PER_SOURCE = 5;

    private static final Pattern JSON_FENCE = Pattern.compile("```(?:json)?[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern SCHEMA = Pattern.compile("dialectica\\.(theses|synthesis)\\.v\\d+");
    private static final Pattern COUNT = Pattern.compile(
            "(?i)\\b(?:write|formulate|give|propose|generate|produce)\\s+(?:exactly\\s+)?(\\d{1,3})\\s+theses"
                    + "|\\bexactly\\s+(\\d{1,3})\\s+(?:theses|elements)");
    private static final Pattern MODE = Pattern.compile("(?i)\\b(dialectical|comparative|integrative)\\s+synthesis");

    private final ObjectMapper mapper;
    private final ObjectMapper pretty;

    Answers(ObjectMapper mapper) {
        this.mapper = mapper;
        // indented like a model writes JSON: "key": value, one array element per line
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        this.pretty = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT).setDefaultPrettyPrinter(printer);
    }

    /** One turn of the conversation, as plain text. */
    record Turn(String role, String text) {
    }

    /** The answer text, the schema it follows (null for a plain reply) and the key of the conversation. */
    record Answer(String text, String schema, String conversationKey) {
    }

    Answer answer(String system, List<Turn> turns) {
        List<String> texts = new ArrayList<>(); // where to look: the last user turn first, then older ones, then system
        for (int i = turns.size() - 1; i >= 0; i--) {
            if (turns.get(i).role().equals("user")) {
                texts.add(turns.get(i).text());
            }
        }
        if (system != null && !system.isBlank()) {
            texts.add(system);
        }
        String firstUser = turns.stream().filter(t -> t.role().equals("user")).map(Turn::text).findFirst().orElse("");
        String conversationKey = hash(system + "\u0000" + firstUser);

        String contextText = null;
        JsonNode context = null;
        for (String t : texts) {
            Matcher m = JSON_FENCE.matcher(t);
            while (m.find()) {
                try {
                    JsonNode n = mapper.readTree(m.group(1));
                    if (n != null && n.isObject()) {
                        contextText = n.toString(); // canonical: the same graph seeds alike however it is laid out
                        context = n;
                        break;
                    }
                } catch (JsonProcessingException e) {
                    // not the context: try the next block
                }
            }
            if (context != null) {
                break;
            }
        }
        String schema = context != null && context.path("outputSchema").isTextual()
                ? context.path("outputSchema").asText()
                : null;
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            schema = null;
            for (String t : texts) {
                Matcher m = SCHEMA.matcher(t);
                if (m.find()) {
                    schema = m.group();
                    break;
                }
            }
        }
        long seed = seed(contextText != null ? contextText : String.join("\u0000", texts));
        if (schema == null) {
            return new Answer(plainReply(texts.isEmpty() ? "" : texts.getFirst()), null, conversationKey);
        }
        List<Concept> concepts = concepts(context);
        if (schema.startsWith("dialectica.theses.")) {
            int count = count(context, texts);
            return new Answer(write(theses(concepts, count, related(context), new Random(seed))), schema,
                    conversationKey);
        }
        String mode = context != null && context.path("mode").isTextual() ? context.path("mode").asText() : mode(texts);
        return new Answer(write(synthesis(concepts, mode.toLowerCase(Locale.ROOT), new Random(seed))), schema,
                conversationKey);
    }

    // ------------------------------------------------------------------------------------------
    // reading the context

    record Category(String name, String description, double weight, double centrality) {
    }

    record Relation(String from, String to, String type, double weight, String rationale) {
    }

    record Concept(String name, String tradition, String description, List<Category> categories,
            List<Relation> relations) {

        Optional<Category> category(String n) {
            return categories.stream().filter(c -> c.name().equalsIgnoreCase(n)).findFirst();
        }
    }

    record Related(String name, List<String> shared) {
    }

    private static List<Concept> concepts(JsonNode context) {
        List<Concept> out = new ArrayList<>();
        if (context == null) {
            return out;
        }
        if (context.path("concepts").isArray()) {
            context.path("concepts").forEach(c -> out.add(concept(c)));
        } else if (context.path("concept").isObject()) {
            out.add(concept(context.path("concept")));
        } else if (context.path("categories").isArray()) {
            out.add(concept(context));
        }
        out.removeIf(c -> c.categories().isEmpty());
        return out;
    }

    private static Concept concept(JsonNode c) {
        List<Category> cats = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode k : c.path("categories")) {
            String name = k.isTextual() ? k.asText() : text(k, "name");
            if (name != null && !name.isBlank() && seen.add(name.strip().toLowerCase(Locale.ROOT))) {
                cats.add(new Category(name.strip(), k.isTextual() ? null : text(k, "description"),
                        number(k, "weight", 0.5), number(k, "centrality", 0)));
            }
        }
        List<Relation> rels = new ArrayList<>();
        for (JsonNode r : c.path("relations")) {
            String from = first(text(r, "from"), text(r, "fromCategory"), text(r, "source"));
            String to = first(text(r, "to"), text(r, "toCategory"), text(r, "target"));
            String type = text(r, "type");
            if (from != null && to != null && type != null && !from.equalsIgnoreCase(to)) {
                rels.add(new Relation(from.strip(), to.strip(), type.strip().toUpperCase(Locale.ROOT),
                        number(r, "weight", 0.5), text(r, "rationale")));
            }
        }
        String name = first(text(c, "name"), "the concept");
        return new Concept(name, text(c, "tradition"), text(c, "description"), cats, rels);
    }

    private static List<Related> related(JsonNode context) {
        List<Related> out = new ArrayList<>();
        if (context == null) {
            return out;
        }
        for (JsonNode r : context.path("related")) {
            String name = text(r, "name");
            List<String> shared = new ArrayList<>();
            r.path("sharedCategories").forEach(s -> {
                if (s.isTextual()) {
                    shared.add(s.asText());
                }
            });
            if (name != null) {
                out.add(new Related(name, shared));
            }
        }
        return out;
    }

    /** The synthesis mode named in the prompt ("a dialectical synthesis"), else dialectical. */
    static String mode(List<String> texts) {
        for (String t : texts) {
            Matcher m = MODE.matcher(t);
            if (m.find()) {
                return m.group(1).toLowerCase(Locale.ROOT);
            }
        }
        return "dialectical";
    }

    static int count(JsonNode context, List<String> texts) {
        if (context != null && context.path("count").canConvertToInt() && context.path("count").asInt() > 0) {
            return Math.min(MAX_THESES, context.path("count").asInt());
        }
        for (String t : texts) {
            Matcher m = COUNT.matcher(t);
            if (m.find()) {
                int n = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
                if (n > 0) {
                    return Math.min(MAX_THESES, n);
                }
            }
        }
        return 3;
    }

    // ------------------------------------------------------------------------------------------
    // theses

    private record Thesis(String text, String rationale, List<String> categories) {
    }

    private ObjectNode theses(List<Concept> concepts, int count, List<Related> related, Random random) {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode array = root.putArray("theses");
        List<Thesis> out = new ArrayList<>();
        if (concepts.isEmpty()) {
            for (int i = 0; i < count; i++) {
                out.add(new Thesis("Without a graph in the context no thesis can rest on a category (" + (i + 1) + ").",
                        "The context named no categories.", List.of()));
            }
        } else {
            Concept c = concepts.getFirst();
            List<List<Thesis>> sources = List.of(relationTheses(c, random), centralTheses(c, random),
                    chainTheses(c, random), relatedTheses(c, related), pairTheses(c, random));
            Set<String> texts = new HashSet<>();
            int[] next = new int[sources.size()];
            boolean progress = true;
            while (out.size() < count && progress) {
                progress = false;
                for (int s = 0; s < sources.size() && out.size() < count; s++) {
                    List<Thesis> list = sources.get(s);
                    while (next[s] < list.size()) {
                        Thesis t = list.get(next[s]++);
                        if (texts.add(t.text())) {
                            out.add(t);
                            progress = true;
                            break;
                        }
                    }
                }
            }
            List<Category> ranked = byCentrality(c);
            for (int k = 0; out.size() < count; k++) {
                Category a = ranked.get(k % ranked.size());
                out.add(perspective(c, a, k / ranked.size() + 1));
            }
        }
        for (Thesis t : out) {
            ObjectNode n = array.addObject();
            n.put("text", t.text());
            n.put("rationale", t.rationale());
            ArrayNode cats = n.putArray("categories");
            t.categories().forEach(cats::add);
        }
        return root;
    }

    private static final Map<String, String[]> RELATION_TEMPLATES = Map.ofEntries(
            Map.entry("IMPLIES", new String[] {
                "In {C}, {A} implies {B}: whoever grants {A} is already committed to {B}, so {B} cannot be denied without giving up {A} as well.",
                "{A} carries {B} with it: within {C} the affirmation of {A} stays incomplete until {B} is affirmed too." }),
            Map.entry("PRESUPPOSES", new String[] {
                "{A} presupposes {B}: {B} must already be in place for {A} to be intelligible at all, which makes {B} the earlier term in the order of {C}.",
                "Without {B} there is no {A}: in {C}, {A} rests on {B} as on a condition it does not itself produce." }),
            Map.entry("NEGATES", new String[] {
                "{A} negates {B}: in {C} each is determined by not being the other, so the negation belongs to the content of both.",
                "{A} is the determinate negation of {B}: it says what {A} is by saying what {B} is not, and so keeps {B} in view." }),
            Map.entry("CONTRADICTS", new String[] {
                "{A} contradicts {B}: both cannot hold of the same thing in the same respect, and {C} has to say how it lives with that tension.",
                "The contradiction between {A} and {B} is not a defect of {C} but the point where it demands a further determination." }),
            Map.entry("SUBLATES", new String[] {
                "{A} sublates {B}: it cancels {B} as something standing on its own while preserving it as a moment of itself, so {C} cannot be thought from {B} alone.",
                "In {A}, {B} is overcome and kept at once; the movement of {C} runs from {B} to {A}, not the other way round." }),
            Map.entry("GROUNDS", new String[] {
                "{A} grounds {B}: {B} holds because {A} does, so any account of {B} in {C} has to go back to {A}.",
                "{B} has its reason in {A}; within {C}, to explain {B} is to show how it follows from {A}." }),
            Map.entry("ANALOGOUS_TO", new String[] {
                "{A} is analogous to {B}: what holds of the one in {C} holds, with due change, of the other, so each illuminates the other.",
                "{A} and {B} stand in a proportion rather than an identity: {C} uses their likeness without erasing their difference." }),
            Map.entry("PART_OF", new String[] {
                "{A} is part of {B}: in {C}, {A} has its full sense only inside the whole that {B} names.",
                "{B} contains {A} as a moment, so {C} cannot treat {A} as self-sufficient." }),
            Map.entry("OPPOSES", new String[] {
                "{A} opposes {B}: in {C} the two pull in contrary directions, and each is sharpened by the resistance of the other.",
                "The opposition of {A} and {B} gives {C} its shape: neither can be given up without the concept losing its tension." }),
            Map.entry("EXEMPLIFIES", new String[] {
                "{A} exemplifies {B}: it is a case in which {B} becomes visible, which anchors the general {B} of {C} in something determinate.",
                "{B} is shown, not only stated, through {A}: in {C}, {A} is the instance that makes {B} concrete." }));

    private static final Map<String, String> VERBS = Map.of("IMPLIES", "implies", "PRESUPPOSES", "presupposes",
            "NEGATES", "negates", "CONTRADICTS", "contradicts", "SUBLATES", "sublates", "GROUNDS", "grounds",
            "ANALOGOUS_TO", "is analogous to", "PART_OF", "is part of", "OPPOSES", "opposes", "EXEMPLIFIES", "exemplifies");

    private static String verb(String type) {
        return VERBS.getOrDefault(type, "is related (" + type + ") to");
    }

    private List<Thesis> relationTheses(Concept c, Random random) {
        List<Relation> rels = new ArrayList<>(c.relations());
        rels.removeIf(r -> c.category(r.from()).isEmpty() || c.category(r.to()).isEmpty());
        java.util.Collections.shuffle(rels, random); // ties in a seeded order
        rels.sort(Comparator.comparingDouble((Relation r) -> -score(c, r)));
        List<Thesis> out = new ArrayList<>();
        for (Relation r : rels) {
            String a = c.category(r.from()).get().name();
            String b = c.category(r.to()).get().name();
            String[] variants = RELATION_TEMPLATES.getOrDefault(r.type(), new String[] {
                "{A} " + verb(r.type()) + " {B}: in {C} the one cannot be understood without the other." });
            String text = fill(variants[random.nextInt(variants.length)], a, b, c.name());
            StringBuilder why = new StringBuilder("The graph of ").append(c.name()).append(" has the relation ")
                    .append(a).append(' ').append(r.type()).append(' ').append(b)
                    .append(" (weight ").append(fmt(r.weight())).append(")");
            if (r.rationale() != null && !r.rationale().isBlank()) {
                why.append(": ").append(stripPeriod(r.rationale()));
            }
            why.append(". ").append(a).append(" has centrality ").append(fmt(c.category(a).get().centrality()))
                    .append(", ").append(b).append(' ').append(fmt(c.category(b).get().centrality())).append('.');
            out.add(new Thesis(text, why.toString(), List.of(a, b)));
        }
        return out;
    }

    private static double score(Concept c, Relation r) {
        return r.weight() * (1 + c.category(r.from()).map(Category::centrality).orElse(0.0)
                + c.category(r.to()).map(Category::centrality).orElse(0.0));
    }

    private List<Thesis> centralTheses(Concept c, Random random) {
        List<Thesis> out = new ArrayList<>();
        List<Category> ranked = byCentrality(c);
        for (int i = 0; i < ranked.size(); i++) {
            Category a = ranked.get(i);
            long degree = c.relations().stream()
                    .filter(r -> r.from().equalsIgnoreCase(a.name()) || r.to().equalsIgnoreCase(a.name())).count();
            String text = i == 0
                    ? a.name() + " is the pivot of " + c.name() + ": it is the most central of its categories, so how "
                            + a.name() + " is understood decides how the others are read."
                    : a.name() + " is a load-bearing moment of " + c.name() + ": remove it and "
                            + (degree == 0 ? "the concept loses one of its determinations"
                                    : degree + (degree == 1 ? " relation loses" : " relations lose") + " their footing")
                            + ".";
            String why = a.name() + " has weight " + fmt(a.weight()) + " and PageRank centrality " + fmt(a.centrality())
                    + " (rank " + (i + 1) + " of " + ranked.size() + ") and takes part in " + degree
                    + (degree == 1 ? " relation" : " relations")
                    + (a.description() == null || a.description().isBlank() ? "."
                            : "; it is described as: " + stripPeriod(a.description()) + ".");
            out.add(new Thesis(text, why, List.of(a.name())));
        }
        return out;
    }

    private List<Thesis> chainTheses(Concept c, Random random) {
        List<Thesis> out = new ArrayList<>();
        for (Relation r1 : c.relations()) {
            for (Relation r2 : c.relations()) {
                if (r1 != r2 && r1.to().equalsIgnoreCase(r2.from()) && !r1.from().equalsIgnoreCase(r2.to())
                        && c.category(r1.from()).isPresent() && c.category(r1.to()).isPresent()
                        && c.category(r2.to()).isPresent()) {
                    String a = c.category(r1.from()).get().name();
                    String b = c.category(r1.to()).get().name();
                    String d = c.category(r2.to()).get().name();
                    String text = "Through " + b + ", " + a + " bears on " + d + ": " + a + " " + verb(r1.type()) + " "
                            + b + " and " + b + " " + verb(r2.type()) + " " + d + ", so in " + c.name()
                            + " the two are mediated rather than unrelated.";
                    String why = "The graph of " + c.name() + " has the path " + a + " -" + r1.type() + "-> " + b + " -"
                            + r2.type() + "-> " + d + "; " + b + " is the middle term.";
                    out.add(new Thesis(text, why, List.of(a, b, d)));
                }
            }
        }
        java.util.Collections.shuffle(out, random);
        return out;
    }

    private static List<Thesis> relatedTheses(Concept c, List<Related> related) {
        List<Thesis> out = new ArrayList<>();
        for (Related r : related) {
            for (String s : r.shared()) {
                Optional<Category> cat = c.category(s);
                if (cat.isPresent() && !r.name().equalsIgnoreCase(c.name())) {
                    String n = cat.get().name();
                    out.add(new Thesis(c.name() + " is not a closed system: it shares " + n + " with " + r.name()
                            + ", so what " + c.name() + " says about " + n + " can be tested against " + r.name() + ".",
                            n + " is a category of " + c.name() + " that the graph also finds in the related concept "
                                    + r.name() + ".",
                            List.of(n)));
                    break;
                }
            }
        }
        return out;
    }

    private static List<Thesis> pairTheses(Concept c, Random random) {
        List<Category> ranked = byCentrality(c);
        List<Thesis> out = new ArrayList<>();
        for (int i = 0; i < ranked.size(); i++) {
            for (int j = i + 1; j < ranked.size(); j++) {
                String a = ranked.get(i).name();
                String b = ranked.get(j).name();
                boolean related = c.relations().stream().anyMatch(r -> r.from().equalsIgnoreCase(a) && r.to().equalsIgnoreCase(b)
                        || r.from().equalsIgnoreCase(b) && r.to().equalsIgnoreCase(a));
                if (!related) {
                    out.add(new Thesis(a + " and " + b + " are not directly related in " + c.name()
                            + ", yet both belong to it: the concept implies a connection between them that its graph has still to make explicit.",
                            "Both are categories of " + c.name() + " (centrality " + fmt(ranked.get(i).centrality()) + " and "
                                    + fmt(ranked.get(j).centrality()) + ") and no relation joins them.",
                            List.of(a, b)));
                }
            }
        }
        return out;
    }

    private static Thesis perspective(Concept c, Category a, int k) {
        return new Thesis("Read from the standpoint of " + a.name() + ", " + c.name()
                + " shows a further side: whatever it claims must also answer to " + a.name() + " (consideration " + k + ").",
                a.name() + " is a category of " + c.name() + " with weight " + fmt(a.weight()) + "; the graph offers no further "
                        + "relation, so this thesis returns to it.",
                List.of(a.name()));
    }

    private static List<Category> byCentrality(Concept c) {
        List<Category> ranked = new ArrayList<>(c.categories());
        ranked.sort(Comparator.comparingDouble((Category k) -> -k.centrality()).thenComparingDouble(k -> -k.weight())
                .thenComparing(Category::name));
        return ranked;
    }

    // ------------------------------------------------------------------------------------------
    // synthesis

    private ObjectNode synthesis(List<Concept> concepts, String mode, Random random) {
        if (concepts.isEmpty()) {
            concepts = List.of(new Concept("the given concept", null, null,
                    List.of(new Category("Thesis", null, 0.5, 0), new Category("Antithesis", null, 0.5, 0)), List.of()));
        }
        List<String> names = concepts.stream().map(Concept::name).toList();
        String joined = joinNames(names);

        // categories: the most central of each source first, merged by name, at most 30 with the new one
        Map<String, ObjectNode> categories = new LinkedHashMap<>();
        Map<String, String> canonical = new LinkedHashMap<>();
        int perSource = Math.max(2, Math.min(MAX_SYNTHESIS_CATEGORIES_PER_SOURCE, 24 / concepts.size()));
        List<List<Category>> rankedPerSource = concepts.stream().map(Answers::byCentrality).toList();
        for (int round = 0; round < perSource; round++) {
            for (int s = 0; s < concepts.size(); s++) {
                List<Category> ranked = rankedPerSource.get(s);
                if (round < ranked.size() && categories.size() < 28) {
                    Category k = ranked.get(round);
                    String key = k.name().toLowerCase(Locale.ROOT);
                    ObjectNode existing = categories.get(key);
                    if (existing == null) {
                        ObjectNode n = mapper.createObjectNode();
                        n.put("name", k.name());
                        n.put("description", k.description() != null && !k.description().isBlank()
                                ? stripPeriod(k.description()) + " (from " + concepts.get(s).name() + ")."
                                : "Taken over from " + concepts.get(s).name() + ", where it has weight " + fmt(k.weight()) + ".");
                        n.put("weight", round2(k.weight()));
                        categories.put(key, n);
                        canonical.put(key, k.name());
                    } else {
                        existing.put("weight", round2(Math.max(existing.path("weight").asDouble(), k.weight())));
                        existing.put("description", stripPeriod(existing.path("description").asText())
                                + "; shared with " + concepts.get(s).name() + ".");
                    }
                }
            }
        }
        String newName = switch (mode) {
            case "comparative" -> "Common measure";
            case "integrative" -> "Integrated whole";
            default -> "Sublated unity";
        };
        if (categories.containsKey(newName.toLowerCase(Locale.ROOT))) {
            newName = newName + " of " + names.getFirst();
        }
        ObjectNode added = mapper.createObjectNode();
        added.put("name", newName);
        added.put("description", switch (mode) {
            case "comparative" -> "The respect in which " + joined + " can be compared at all: what they share and where they part.";
            case "integrative" -> "The whole in which the categories of " + joined + " fit together without contradiction.";
            default -> "The higher unity in which " + joined + " are cancelled as separate standpoints and preserved as its moments.";
        });
        added.put("weight", 0.9);
        categories.put(newName.toLowerCase(Locale.ROOT), added);
        canonical.put(newName.toLowerCase(Locale.ROOT), newName);

        // relations: the sources' relations between kept categories, then the synthesis' own
        ArrayNode relations = mapper.createArrayNode();
        Set<String> seen = new HashSet<>();
        for (Concept c : concepts) {
            for (Relation r : c.relations()) {
                String from = canonical.get(r.from().toLowerCase(Locale.ROOT));
                String to = canonical.get(r.to().toLowerCase(Locale.ROOT));
                if (from != null && to != null && !from.equalsIgnoreCase(to) && VERBS.containsKey(r.type())) {
                    addRelation(relations, seen, from, to, r.type(), r.weight(),
                            r.rationale() != null && !r.rationale().isBlank() ? stripPeriod(r.rationale()) + " (in " + c.name() + ")."
                                    : "Kept from " + c.name() + ", where " + from + " " + verb(r.type()) + " " + to + ".");
                }
            }
        }
        List<String> tops = new ArrayList<>();
        for (List<Category> ranked : rankedPerSource) {
            String top = canonical.get(ranked.getFirst().name().toLowerCase(Locale.ROOT));
            if (top != null && tops.stream().noneMatch(t -> t.equalsIgnoreCase(top))) {
                tops.add(top);
            }
        }
        for (int i = 0; i < tops.size(); i++) {
            String top = tops.get(i);
            String source = concepts.get(Math.min(i, concepts.size() - 1)).name();
            switch (mode) {
                case "comparative" -> addRelation(relations, seen, top, newName, "EXEMPLIFIES", 0.7,
                        top + " is how " + source + " answers to the common measure.");
                case "integrative" -> addRelation(relations, seen, top, newName, "PART_OF", 0.8,
                        top + " enters the whole as the contribution of " + source + ".");
                default -> addRelation(relations, seen, newName, top, "SUBLATES", 0.85,
                        "The unity keeps what is true in " + top + " (from " + source + ") while cancelling its one-sidedness.");
            }
            if (i > 0) {
                String prev = tops.get(i - 1);
                switch (mode) {
                    case "comparative" -> addRelation(relations, seen, prev, top, "ANALOGOUS_TO", 0.6,
                            prev + " and " + top + " play corresponding roles in their concepts.");
                    case "integrative" -> addRelation(relations, seen, prev, top, "GROUNDS", 0.6,
                            prev + " supplies what " + top + " needs in order to hold in the integrated concept.");
                    default -> addRelation(relations, seen, prev, top, "OPPOSES", 0.7,
                            prev + " and " + top + " are the opposed starting points the synthesis has to reconcile.");
                }
            }
        }
        if (tops.size() == 1) {
            // a single source (or the same central category everywhere): still relate the new category
            // to a second one so the proposal is a graph
            categories.keySet().stream().filter(k -> !k.equalsIgnoreCase(tops.getFirst()) && !k.equalsIgnoreCase(
                    added.path("name").asText())).findFirst().ifPresent(k -> addRelation(relations, seen,
                            added.path("name").asText(), canonical.get(k), "GROUNDS", 0.5,
                            "The new category gives " + canonical.get(k) + " its place in the synthesis."));
        }

        ObjectNode root = mapper.createObjectNode();
        String title = switch (mode) {
            case "comparative" -> joined + ": a comparison";
            case "integrative" -> joined + " integrated";
            default -> "The unity of " + joined;
        };
        root.put("name", truncate(title, 200));
        StringBuilder d = new StringBuilder("A ").append(mode.isBlank() ? "dialectical" : mode).append(" synthesis of ")
                .append(joined).append(". ");
        for (Concept c : concepts) {
            Category top = byCentrality(c).getFirst();
            d.append(c.name());
            if (c.tradition() != null && !c.tradition().isBlank()) {
                d.append(" (").append(c.tradition()).append(')');
            }
            d.append(" contributes ").append(top.name()).append(" as its most central category. ");
        }
        d.append(switch (mode) {
            case "comparative" -> "The proposal sets their categories side by side under a common measure.";
            case "integrative" -> "The proposal joins their categories into one whole in which each has its place.";
            default -> "The proposal lets their opposition pass into a unity that preserves what is true in each.";
        });
        root.put("description", truncate(d.toString(), 3900));
        java.util.TreeSet<String> traditions = new java.util.TreeSet<>();
        concepts.forEach(c -> {
            if (c.tradition() != null && !c.tradition().isBlank()) {
                traditions.add(c.tradition());
            }
        });
        root.put("tradition", truncate(traditions.size() == 1 ? traditions.first()
                : traditions.isEmpty() ? "Dialectica synthesis" : String.join(" / ", traditions), 200));
        ArrayNode cats = root.putArray("categories");
        categories.values().forEach(cats::add);
        root.set("relations", relations);
        return root;
    }

    private void addRelation(ArrayNode relations, Set<String> seen, String from, String to, String type, double weight,
            String rationale) {
        if (from == null || to == null || from.equalsIgnoreCase(to)
                || !seen.add(from.toLowerCase(Locale.ROOT) + "\u0000" + to.toLowerCase(Locale.ROOT) + "\u0000" + type)) {
            return;
        }
        ObjectNode r = relations.addObject();
        r.put("from", from);
        r.put("to", to);
        r.put("type", type);
        r.put("weight", round2(weight));
        r.put("rationale", rationale);
    }

    // ------------------------------------------------------------------------------------------
    // helpers

    private static String plainReply(String lastUser) {
        String topic = lastUser.strip().replaceAll("\\s+", " ");
        if (topic.length() > 80) {
            topic = topic.substring(0, 80) + "...";
        }
        return "This is the Dialectica stand-in of the Claude Messages API. It answers Dialectica's prompts "
                + "(output schemas dialectica.theses.v1 and dialectica.synthesis.v1) from the concept graph in "
                + "their ```json context block. You wrote: \"" + topic + "\"";
    }

    private String write(JsonNode node) {
        try {
            return pretty.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fill(String template, String a, String b, String c) {
        return template.replace("{A}", a).replace("{B}", b).replace("{C}", c);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }

    private static double number(JsonNode n, String field, double fallback) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            return fallback;
        }
        double d = v.asDouble();
        return Double.isFinite(d) ? Math.max(0, Math.min(1, d)) : fallback;
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String joinNames(List<String> names) {
        if (names.size() == 1) {
            return names.getFirst();
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
    }

    private static String stripPeriod(String s) {
        String t = s.strip();
        while (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static double round2(double d) {
        return Math.round(Math.max(0, Math.min(1, d)) * 100) / 100.0;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    static String hash(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long seed(String s) {
        return Long.parseUnsignedLong(hash(s).substring(0, 15), 16);
    }
}
