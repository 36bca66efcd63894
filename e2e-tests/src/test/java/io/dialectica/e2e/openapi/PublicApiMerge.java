package io.dialectica.e2e.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public API's OpenAPI document: the gateway's layer (api-gateway/src/main/openapi/gateway-layer.yaml)
 * merged with the operations of the REST services (their Quarkus builds' {@code target/openapi/openapi.json}),
 * keeping exactly the paths the gateway's route table ({@code gateway.routes.*}) sends to each service, plus the
 * gateway's own operations (the layer's {@code paths}, e.g. GET /api/me/export). The
 * rules are in the layer file's header. {@link #merge(Path)} returns the document and the problems that make
 * it unfit (an operation without operationId, a service path the gateway does not route, a route without an
 * operation, ...).
 */
public final class PublicApiMerge {

    public static final String LAYER = "api-gateway/src/main/openapi/gateway-layer.yaml";
    public static final String GATEWAY_PROPERTIES = "api-gateway/src/main/resources/application.properties";
    public static final String PUBLISHED = "api-gateway/src/main/resources/META-INF/openapi.yaml";
    static final String SERVICE_SPEC = "target/openapi/openapi.json";

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String CONSISTENCY_TOKEN = "x-consistency-token";
    private static final Pattern ROUTE_KEY = Pattern.compile("gateway\\.routes\\.([^.]+)\\.(paths|backend)");
    private static final String[] METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    /** The gateway's own answers, added to an operation that does not document that status itself. */
    private static final Map<String, String> GATEWAY_RESPONSES = new LinkedHashMap<>();

    static {
        GATEWAY_RESPONSES.put("401", "Unauthorized");
        GATEWAY_RESPONSES.put("413", "PayloadTooLarge");
        GATEWAY_RESPONSES.put("429", "RateLimited");
        GATEWAY_RESPONSES.put("502", "BadGateway");
        GATEWAY_RESPONSES.put("503", "ServiceUnavailable");
        GATEWAY_RESPONSES.put("504", "GatewayTimeout");
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build());

    /** A route of the gateway's table. */
    public record Route(String name, List<String> patterns, String backend) {
    }

    /** The merged document, what was left out on purpose, and what is wrong. */
    public record Result(ObjectNode document, List<String> internal, List<String> problems) {

        /** The document as the gateway serves it, with the header that says where it comes from. */
        public String yaml() {
            return header() + toYaml(document);
        }
    }

    private PublicApiMerge() {
    }

    static String header() {
        return """
                # GENERATED - do not edit. The public API as the gateway serves it (/q/openapi): the gateway's layer
                # (api-gateway/src/main/openapi/gateway-layer.yaml, which explains the merge) plus every routed operation
                # of concept-, graph-, search- and thesis-service as their builds describe them, and the gateway's own
                # (the layer's paths: GET /api/me/export). e2e-tests'
                # PublicApiSpecTest regenerates it into e2e-tests/target/openapi/openapi.yaml and fails while this copy
                # differs; then: cp e2e-tests/target/openapi/openapi.yaml api-gateway/src/main/resources/META-INF/openapi.yaml
                """;
    }

    public static String toYaml(JsonNode node) {
        try {
            return YAML.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode readYaml(Path file) throws IOException {
        return YAML.readTree(file.toFile());
    }

    /** The route table from the gateway's application.properties (routes in name order). */
    public static List<Route> routes(Path gatewayProperties) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(gatewayProperties)) {
            props.load(in);
        }
        Map<String, String[]> table = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            Matcher m = ROUTE_KEY.matcher(key);
            if (m.matches()) {
                table.computeIfAbsent(m.group(1), k -> new String[2])[m.group(2).equals("paths") ? 0 : 1] =
                        props.getProperty(key).trim();
            }
        }
        List<Route> routes = new ArrayList<>();
        table.forEach((name, v) -> routes.add(new Route(name,
                v[0] == null ? List.of() : List.of(v[0].split("\\s*,\\s*")), v[1])));
        return routes;
    }

    /**
     * The route that the gateway picks for a path template of a spec, by its rule: patterns match segment by
     * segment, {@code *}/{@code {x}} one segment, a final {@code **} any number; the most specific pattern wins
     * (more literal segments, then more segments, then without {@code **}). A template variable matches only a
     * pattern variable (or {@code **}), never a literal.
     */
    public static Route routeOf(List<Route> routes, String path) {
        List<String> segments = segments(path);
        Route best = null;
        int[] bestRank = null;
        for (Route route : routes) {
            for (String pattern : route.patterns()) {
                List<String> ps = segments(pattern);
                if (!matches(ps, segments)) {
                    continue;
                }
                boolean doubleStar = !ps.isEmpty() && ps.getLast().equals("**");
                int literals = (int) ps.stream().filter(s -> !isVariable(s) && !s.equals("**")).count();
                int[] rank = {literals, ps.size() - (doubleStar ? 1 : 0), doubleStar ? 0 : 1};
                if (bestRank == null || java.util.Arrays.compare(rank, bestRank) > 0) {
                    best = route;
                    bestRank = rank;
                }
            }
        }
        return best;
    }

    private static boolean matches(List<String> pattern, List<String> path) {
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (p.equals("**") && i == pattern.size() - 1) {
                return true;
            }
            if (i >= path.size()) {
                return false;
            }
            if (!isVariable(p) && !p.equals(path.get(i))) {
                return false;
            }
        }
        return pattern.size() == path.size();
    }

    private static boolean isVariable(String segment) {
        return segment.equals("*") || (segment.startsWith("{") && segment.endsWith("}"));
    }

    private static List<String> segments(String path) {
        List<String> s = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                s.add(part);
            }
        }
        return s;
    }

    /** Merges the layer and the services' specs found under {@code root}. */
    public static Result merge(Path root) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> internal = new ArrayList<>();
        ObjectNode layer = (ObjectNode) readYaml(root.resolve(LAYER));
        List<Route> routes = routes(root.resolve(GATEWAY_PROPERTIES));

        Set<String> backends = new LinkedHashSet<>();
        routes.stream().map(Route::backend).sorted().forEach(backends::add);
        Map<String, ObjectNode> specs = new LinkedHashMap<>();
        for (String backend : backends) {
            Path file = root.resolve(backend).resolve(SERVICE_SPEC);
            if (!Files.isRegularFile(file)) {
                problems.add(backend + ": no " + backend + "/" + SERVICE_SPEC
                        + " (its build writes it: quarkus.smallrye-openapi.store-schema-directory=target/openapi)");
                continue;
            }
            specs.put(backend, (ObjectNode) JSON.readTree(file.toFile()));
        }

        // schemas: one name, one definition; a name two services define differently is prefixed per service
        Map<String, Map<String, JsonNode>> schemaDefs = new TreeMap<>();
        specs.forEach((backend, spec) -> spec.path("components").path("schemas").properties()
                .forEach(e -> schemaDefs.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(backend, e.getValue())));
        Map<String, Map<String, String>> renames = new LinkedHashMap<>();
        ObjectNode layerSchemas = (ObjectNode) layer.path("components").path("schemas");
        for (var e : schemaDefs.entrySet()) {
            boolean conflict = e.getValue().values().stream().distinct().count() > 1 || layerSchemas.has(e.getKey());
            if (conflict) {
                for (String backend : e.getValue().keySet()) {
                    renames.computeIfAbsent(backend, b -> new LinkedHashMap<>()).put(e.getKey(), prefix(backend) + e.getKey());
                }
            }
        }

        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.set("openapi", layer.get("openapi"));
        doc.set("info", layer.get("info"));
        doc.set("servers", layer.get("servers"));
        doc.set("security", layer.get("security"));
        ArrayNode tags = layer.withArray("tags").deepCopy();
        Set<String> tagNames = new LinkedHashSet<>();
        tags.forEach(t -> tagNames.add(t.path("name").asText()));

        Map<String, ObjectNode> paths = new TreeMap<>();
        Map<String, String> operationIds = new LinkedHashMap<>();
        Map<String, Integer> routeUse = new LinkedHashMap<>();
        TreeMap<String, JsonNode> schemas = new TreeMap<>();
        for (var entry : specs.entrySet()) {
            String backend = entry.getKey();
            ObjectNode spec = renameRefs(entry.getValue().deepCopy(), renames.getOrDefault(backend, Map.of()));
            spec.path("components").path("schemas").properties().forEach(e -> schemas.put(
                    renames.getOrDefault(backend, Map.of()).getOrDefault(e.getKey(), e.getKey()), e.getValue()));
            for (var p : spec.path("paths").properties()) {
                String path = p.getKey();
                if (!path.equals("/api") && !path.startsWith("/api/")) {
                    internal.add(backend + " " + path + " (not under /api: not public)");
                    continue;
                }
                Route route = routeOf(routes, path);
                if (route == null) {
                    problems.add(backend + ": " + path + " is not routed by the gateway (gateway.routes.*)");
                    continue;
                }
                if (!route.backend().equals(backend)) {
                    problems.add(backend + ": " + path + " is routed to " + route.backend() + " (route " + route.name() + ")");
                    continue;
                }
                routeUse.merge(route.name(), 1, Integer::sum);
                ObjectNode item = (ObjectNode) p.getValue();
                for (String method : METHODS) {
                    if (item.get(method) instanceof ObjectNode op) {
                        operation(method.toUpperCase() + " " + path, op, problems, operationIds);
                    }
                }
                if (paths.put(path, item) != null) {
                    problems.add(path + " is described by two services");
                }
            }
        }
        // the gateway's own operations (answered by the gateway, not routed: GET /api/me/export)
        for (var p : layer.path("paths").properties()) {
            ObjectNode item = ((ObjectNode) p.getValue()).deepCopy();
            for (String method : METHODS) {
                if (item.get(method) instanceof ObjectNode op) {
                    operation(method.toUpperCase() + " " + p.getKey(), op, problems, operationIds);
                }
            }
            if (paths.put(p.getKey(), item) != null) {
                problems.add(p.getKey() + " is described by a service and by the gateway's layer");
            }
        }
        for (Route route : routes) {
            if (specs.containsKey(route.backend()) && !routeUse.containsKey(route.name())) {
                problems.add("route " + route.name() + " (" + String.join(", ", route.patterns()) + " -> " + route.backend()
                        + ") matches no operation of " + route.backend());
            }
        }
        for (var e : layerSchemas.properties()) {
            schemas.put(e.getKey(), e.getValue());
        }

        ObjectNode pathsNode = doc.putObject("paths");
        paths.forEach(pathsNode::set);
        // tags: the layer's (with descriptions), then any other an operation uses
        for (JsonNode item : paths.values()) {
            for (String method : METHODS) {
                for (JsonNode t : item.path(method).path("tags")) {
                    if (tagNames.add(t.asText())) {
                        problems.add("tag '" + t.asText() + "' has no description in " + LAYER);
                        tags.addObject().put("name", t.asText());
                    }
                }
            }
        }
        doc.set("tags", tags);
        // schemas: only those the public operations reach (a service's internal ones stay out)
        Set<String> reachable = new java.util.TreeSet<>();
        List<JsonNode> todo = new ArrayList<>(paths.values());
        todo.add(layer.path("components"));
        while (!todo.isEmpty()) {
            JsonNode n = todo.removeLast();
            if (n.isObject() && n.path("$ref").isTextual() && n.path("$ref").asText().startsWith("#/components/schemas/")) {
                String name = n.path("$ref").asText().substring("#/components/schemas/".length());
                if (reachable.add(name) && schemas.containsKey(name)) {
                    todo.add(schemas.get(name));
                }
            }
            n.forEach(todo::add);
        }
        schemas.keySet().retainAll(reachable);
        ObjectNode components = doc.putObject("components");
        ObjectNode layerComponents = (ObjectNode) layer.path("components");
        components.set("securitySchemes", layerComponents.get("securitySchemes"));
        ObjectNode schemasNode = components.putObject("schemas");
        schemas.forEach(schemasNode::set);
        components.set("parameters", layerComponents.get("parameters"));
        components.set("headers", layerComponents.get("headers"));
        ObjectNode responses = components.putObject("responses");
        layerComponents.path("responses").properties().forEach(e -> {
            ObjectNode r = e.getValue().deepCopy();
            problemAnswer(r);
            responses.set(e.getKey(), r);
        });
        return new Result(doc, internal, problems);
    }

    /** Completes one operation with what the gateway adds, and checks what it must have. */
    private static void operation(String where, ObjectNode op, List<String> problems, Map<String, String> operationIds) {
        String id = op.path("operationId").asText("");
        if (id.isEmpty()) {
            problems.add(where + ": no operationId (@Operation(operationId = ...))");
        } else if (operationIds.putIfAbsent(id, where) != null) {
            problems.add(where + ": operationId " + id + " is also " + operationIds.get(id));
        }
        op.remove("security"); // the document's: the one bearer scheme
        ArrayNode params = JsonNodeFactory.instance.arrayNode();
        for (JsonNode p : op.path("parameters")) {
            boolean header = "header".equals(p.path("in").asText());
            String name = p.path("name").asText().toLowerCase(java.util.Locale.ROOT);
            if (header && name.equals("authorization")) {
                continue; // the security scheme's
            }
            if (header && (name.equals(CONSISTENCY_TOKEN) || name.equals("x-request-id"))) {
                continue; // the shared parameters, added below
            }
            params.add(p);
        }
        boolean tokenParam = false;
        for (JsonNode p : op.path("parameters")) {
            tokenParam |= "header".equals(p.path("in").asText())
                    && p.path("name").asText().equalsIgnoreCase(CONSISTENCY_TOKEN);
        }
        if (tokenParam) {
            params.add(ref("#/components/parameters/ConsistencyToken"));
        }
        params.add(ref("#/components/parameters/RequestId"));
        op.set("parameters", params);

        ObjectNode responses = op.has("responses") ? (ObjectNode) op.get("responses") : op.putObject("responses");
        for (var e : responses.properties()) {
            ObjectNode r = (ObjectNode) e.getValue();
            String code = e.getKey();
            if (GATEWAY_RESPONSES.containsKey(code) && !code.equals("413") && !code.equals("401")) {
                // the service documents it; the gateway answers it too
                r.put("description", r.path("description").asText() + " - or from the gateway: "
                        + lowerFirst(gatewayDescription(code)));
                if (!code.equals("502") && !code.equals("504")) {
                    headers(r).set("Retry-After", ref("#/components/headers/RetryAfter"));
                }
            }
            if (code.equals("401")) {
                r.put("description", "Token missing, malformed, expired, forged or of another issuer (WWW-Authenticate Bearer).");
            }
            if (code.compareTo("400") >= 0 && code.length() == 3 && Character.isDigit(code.charAt(0))) {
                problemAnswer(r);
            } else {
                commonHeaders(r);
            }
        }
        for (var g : GATEWAY_RESPONSES.entrySet()) {
            if (g.getKey().equals("413") && !op.has("requestBody")) {
                continue;
            }
            if (!responses.has(g.getKey())) {
                responses.set(g.getKey(), ref("#/components/responses/" + g.getValue()));
            }
        }
        ObjectNode sorted = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(toMap(responses)).forEach(sorted::set);
        op.set("responses", sorted);
    }

    private static String gatewayDescription(String code) {
        return switch (code) {
            case "429" -> "the caller's rate-limit window is exhausted";
            case "502" -> "the service broke the connection mid-answer";
            case "503" -> "the service cannot be reached or its circuit breaker is open";
            case "504" -> "the service did not answer within the gateway's timeouts";
            default -> code;
        };
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** An error answer: problem+json with the Problem schema, and the common headers. */
    private static void problemAnswer(ObjectNode response) {
        if (response.has("$ref")) {
            return;
        }
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        content.putObject(PROBLEM_JSON).set("schema", ref("#/components/schemas/Problem"));
        response.set("content", content);
        commonHeaders(response);
    }

    private static void commonHeaders(ObjectNode response) {
        if (response.has("$ref")) {
            return;
        }
        ObjectNode headers = headers(response);
        Map<String, JsonNode> kept = new LinkedHashMap<>();
        headers.properties().forEach(e -> kept.put(e.getKey(), e.getKey().equalsIgnoreCase("X-Consistency-Token")
                ? ref("#/components/headers/ConsistencyToken") : e.getValue()));
        headers.removeAll();
        kept.forEach(headers::set);
        headers.set("X-Request-Id", ref("#/components/headers/RequestId"));
        headers.set("X-RateLimit-Limit", ref("#/components/headers/RateLimitLimit"));
        headers.set("X-RateLimit-Remaining", ref("#/components/headers/RateLimitRemaining"));
    }

    private static ObjectNode headers(ObjectNode response) {
        return response.has("headers") ? (ObjectNode) response.get("headers") : response.putObject("headers");
    }

    private static ObjectNode ref(String target) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("$ref", target);
        return n;
    }

    private static Map<String, JsonNode> toMap(ObjectNode node) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        node.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    /** Graph for graph-service, Concept for concept-service, ... */
    static String prefix(String backend) {
        String first = backend.split("-")[0];
        return Character.toUpperCase(first.charAt(0)) + first.substring(1);
    }

    private static <T extends JsonNode> T renameRefs(T node, Map<String, String> renames) {
        if (renames.isEmpty()) {
            return node;
        }
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    String ref = e.getValue().asText();
                    String prefix = "#/components/schemas/";
                    if (ref.startsWith(prefix) && renames.containsKey(ref.substring(prefix.length()))) {
                        e.setValue(TextNode.valueOf(prefix + renames.get(ref.substring(prefix.length()))));
                    }
                } else {
                    renameRefs(e.getValue(), renames);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(n -> renameRefs(n, renames));
        }
        return node;
    }
}
