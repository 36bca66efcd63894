package io.dialectica.e2e.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gateway's public OpenAPI document (api-gateway/src/main/resources/META-INF/openapi.yaml) stays in step
 * with the services: it must be exactly what {@link PublicApiMerge} makes of the gateway's layer and the specs
 * the services' builds wrote just now (this module builds after them). The fresh merge is always written to
 * e2e-tests/target/openapi/openapi.yaml; when the checked-in copy differs, the failure says where and how to
 * update it.
 */
class PublicApiSpecTest {

    private static final Path ROOT = Path.of(System.getProperty("dialectica.root", "..")).toAbsolutePath().normalize();

    @Test
    void publishedDocumentIsTheMergeOfTheServicesSpecs() throws Exception {
        PublicApiMerge.Result merged = PublicApiMerge.merge(ROOT);
        Path fresh = ROOT.resolve("e2e-tests/target/openapi/openapi.yaml");
        Files.createDirectories(fresh.getParent());
        Files.writeString(fresh, merged.yaml());
        assertEquals(List.of(), merged.problems(), "the merge found problems");

        JsonNode published = PublicApiMerge.readYaml(ROOT.resolve(PublicApiMerge.PUBLISHED));
        // compared as written: the same tree serialises to the same text
        if (!PublicApiMerge.toYaml(published).equals(PublicApiMerge.toYaml(merged.document()))) {
            List<String> where = new ArrayList<>();
            differences("", published, merged.document(), where);
            fail(PublicApiMerge.PUBLISHED + " is not the merge of the gateway's layer and the services' specs ("
                    + where.size() + " differences, e.g. " + where.subList(0, Math.min(8, where.size())) + "). "
                    + "If the services changed on purpose: cp " + ROOT.relativize(fresh) + " " + PublicApiMerge.PUBLISHED);
        }
    }

    @Test
    void everyRoutedOperationOfEveryServiceIsPublished() throws Exception {
        JsonNode published = PublicApiMerge.readYaml(ROOT.resolve(PublicApiMerge.PUBLISHED));
        var routes = PublicApiMerge.routes(ROOT.resolve(PublicApiMerge.GATEWAY_PROPERTIES));
        Set<String> missing = new TreeSet<>();
        int seen = 0;
        for (String backend : routes.stream().map(PublicApiMerge.Route::backend).distinct().toList()) {
            Path spec = ROOT.resolve(backend).resolve(PublicApiMerge.SERVICE_SPEC);
            assertTrue(Files.isRegularFile(spec), spec + " is missing: build " + backend + " first");
            JsonNode paths = PublicApiMerge.JSON.readTree(spec.toFile()).path("paths");
            for (var p : paths.properties()) {
                if (!p.getKey().startsWith("/api/")) {
                    continue;
                }
                for (var op : p.getValue().properties()) {
                    if (op.getValue().has("responses")) {
                        seen++;
                        JsonNode there = published.path("paths").path(p.getKey()).path(op.getKey());
                        if (there.isMissingNode()
                                || !there.path("operationId").equals(op.getValue().path("operationId"))) {
                            missing.add(backend + ": " + op.getKey().toUpperCase() + " " + p.getKey());
                        }
                    }
                }
            }
        }
        assertTrue(seen >= 27, "the services describe " + seen + " public operations; expected at least 27");
        assertEquals(Set.of(), missing, "operations of the services missing from " + PublicApiMerge.PUBLISHED);
    }

    private static void differences(String at, JsonNode a, JsonNode b, List<String> out) {
        if (a.equals(b)) {
            return;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (!a.has(k)) {
                    out.add(at + "/" + k + " (missing in the published copy)");
                } else if (!b.has(k)) {
                    out.add(at + "/" + k + " (not in the merge)");
                } else {
                    differences(at + "/" + k, a.get(k), b.get(k), out);
                }
            }
        } else {
            out.add(at.isEmpty() ? "/" : at);
        }
    }
}
