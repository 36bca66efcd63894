package io.dialectica.search.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * OpenSearch through the low-level REST client: raw JSON in and out. Every answer, whatever its status, comes
 * back as a {@link Reply}; only a transport failure (node down, timeout) is an exception.
 */
@ApplicationScoped
public class OpenSearch {

    public static final ContentType NDJSON = ContentType.create("application/x-ndjson");

    /** An answer: HTTP status and parsed body (NullNode when empty). */
    public record Reply(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** Throws {@link OpenSearchException} unless the status is 2xx. */
        public Reply orThrow(String what) {
            if (!ok()) {
                throw new OpenSearchException(what + ": HTTP " + status + " " + abbreviate(body.toString()), status);
            }
            return this;
        }
    }

    private final RestClient client;
    private final ObjectMapper mapper;

    public OpenSearch(RestClient client, ObjectMapper mapper) {
        this.client = client;
        this.mapper = mapper;
    }

    /** Blocking call, for the projector thread and the reindex. */
    public Reply call(String method, String endpoint, Object body) {
        Request request = request(method, endpoint, body);
        try {
            return reply(client.performRequest(request));
        } catch (ResponseException e) {
            return reply(e.getResponse());
        } catch (IOException e) {
            throw new OpenSearchException(method + " " + endpoint + " failed: " + e, -1, e);
        }
    }

    /** Blocking call with an NDJSON body (_bulk). */
    public Reply ndjson(String endpoint, byte[] body) {
        Request request = new Request("POST", endpoint);
        request.setEntity(new ByteArrayEntity(body, NDJSON));
        try {
            return reply(client.performRequest(request));
        } catch (ResponseException e) {
            return reply(e.getResponse());
        } catch (IOException e) {
            throw new OpenSearchException("POST " + endpoint + " failed: " + e, -1, e);
        }
    }

    /** Non-blocking call, for request handlers: never blocks the event loop. */
    public Uni<Reply> send(String method, String endpoint, Object body) {
        Request request = request(method, endpoint, body);
        return Uni.createFrom().emitter(emitter -> client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                try {
                    emitter.complete(reply(response));
                } catch (RuntimeException e) {
                    emitter.fail(e);
                }
            }

            @Override
            public void onFailure(Exception e) {
                if (e instanceof ResponseException re) {
                    try {
                        emitter.complete(reply(re.getResponse()));
                    } catch (RuntimeException failure) {
                        emitter.fail(failure);
                    }
                } else {
                    emitter.fail(new OpenSearchException(method + " " + endpoint + " failed: " + e, -1, e));
                }
            }
        }));
    }

    private Request request(String method, String endpoint, Object body) {
        Request request = new Request(method, endpoint);
        if (body != null) {
            try {
                byte[] bytes = body instanceof byte[] b ? b : mapper.writeValueAsBytes(body);
                request.setEntity(new ByteArrayEntity(bytes, ContentType.APPLICATION_JSON));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return request;
    }

    private Reply reply(Response response) {
        try {
            int status = response.getStatusLine().getStatusCode();
            if (response.getEntity() == null) {
                return new Reply(status, NullNode.getInstance());
            }
            byte[] bytes = EntityUtils.toByteArray(response.getEntity());
            JsonNode body = bytes.length == 0 ? NullNode.getInstance() : mapper.readTree(bytes);
            return new Reply(status, body);
        } catch (IOException e) {
            throw new OpenSearchException("unreadable OpenSearch answer: " + e, -1, e);
        }
    }

    static String abbreviate(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }
}
