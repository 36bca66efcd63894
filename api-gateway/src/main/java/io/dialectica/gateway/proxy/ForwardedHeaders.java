package io.dialectica.gateway.proxy;

import io.dialectica.gateway.observability.RequestIds;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway, in each direction. End-to-end headers pass untouched (content
 * headers, {@code Authorization}, {@code If-Match}, {@code Accept}, {@code ETag}, {@code Location},
 * {@code X-Consistency-Token}, ...); hop-by-hop headers (RFC 9110 §7.6.1) and any header the
 * {@code Connection} header names are dropped; the {@code X-Forwarded-*} set and the request id
 * are the gateway's to write, never the client's to inject.
 */
final class ForwardedHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade");

    /** Request headers the gateway sets itself (or the WebClient does, for Host and the length). */
    private static final Set<String> REPLACED_ON_REQUEST = Set.of(
            "host", "content-length", "expect", "forwarded", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "x-request-id");

    /** Response headers the gateway sets itself. */
    private static final Set<String> REPLACED_ON_RESPONSE = Set.of("content-length", "x-request-id");

    private ForwardedHeaders() {
    }

    /** The headers to send to the backend for this client request. */
    static MultiMap toBackend(HttpServerRequest request, String requestId) {
        MultiMap incoming = request.headers();
        Set<String> dropped = connectionListed(incoming);
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> header : incoming) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !REPLACED_ON_REQUEST.contains(name) && !dropped.contains(name)) {
                out.add(header.getKey(), header.getValue());
            }
        }
        out.set("X-Forwarded-For", forwardedFor(request));
        out.set("X-Forwarded-Proto", request.scheme());
        if (request.host() != null) {
            out.set("X-Forwarded-Host", request.host());
        }
        out.set(RequestIds.HEADER, requestId);
        return out;
    }

    /** Copies the backend's answer headers onto the client response. */
    static void toClient(MultiMap fromBackend, MultiMap out) {
        Set<String> dropped = connectionListed(fromBackend);
        for (Map.Entry<String, String> header : fromBackend) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !REPLACED_ON_RESPONSE.contains(name) && !dropped.contains(name)) {
                out.add(header.getKey(), header.getValue());
            }
        }
    }

    /**
     * The client chain plus the peer that connected to the gateway (the socket's address, not one
     * derived from forwarding headers).
     */
    private static String forwardedFor(HttpServerRequest request) {
        SocketAddress peer = request.connection() != null ? request.connection().remoteAddress() : request.remoteAddress();
        String self = peer == null ? "unknown" : peer.hostAddress();
        String chain = request.getHeader("X-Forwarded-For");
        return chain == null || chain.isBlank() ? self : chain.strip() + ", " + self;
    }

    private static Set<String> connectionListed(MultiMap headers) {
        Set<String> listed = new HashSet<>();
        for (String value : headers.getAll("Connection")) {
            for (String token : value.split(",")) {
                String name = token.strip().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    listed.add(name);
                }
            }
        }
        return listed;
    }
}
