package io.dialectica.search;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads documents straight from OpenSearch (realtime GET through the alias): source and version. */
public final class OpenSearchDocs {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private OpenSearchDocs() {
    }

    /** GET /{index}/_doc/{id}: {@code found}, {@code _version}, {@code _source}. */
    public static JsonNode get(String index, String id) {
        return call("GET", "/" + index + "/_doc/" + id);
    }

    public static JsonNode concept(String id) {
        return get(SearchTestStack.ALIAS, id);
    }

    /** A request with a JSON body. */
    public static JsonNode send(String method, String path, String json) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(SearchTestStack.OPENSEARCH + path))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            return ChangeStream.JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode call(String method, String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(SearchTestStack.OPENSEARCH + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            return ChangeStream.JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
