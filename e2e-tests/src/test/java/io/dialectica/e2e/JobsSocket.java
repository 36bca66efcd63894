package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of the gateway's {@code /ws/jobs} as a browser uses it (java.net.http's WebSocket, the token as
 * {@code access_token} query parameter): every server message is one JSON event, kept in arrival order.
 */
final class JobsSocket implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final LinkedBlockingQueue<JsonNode> incoming = new LinkedBlockingQueue<>();
    private final List<JsonNode> received = new ArrayList<>();
    private final WebSocket socket;

    private JobsSocket(String gatewayBaseUrl, String token) throws Exception {
        URI uri = URI.create(gatewayBaseUrl.replaceFirst("^http", "ws") + "/ws/jobs?access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8));
        this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new Listener()).get(20, TimeUnit.SECONDS);
    }

    static JobsSocket open(ServiceProcess gateway, String token) throws Exception {
        return new JobsSocket(gateway.baseUrl(), token);
    }

    void subscribe(String jobId) {
        send("{\"action\":\"subscribe\",\"jobId\":\"" + jobId + "\"}");
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    /** Events received so far and until {@code until} matches one (that one included); fails after the timeout. */
    List<JsonNode> awaitEvent(Predicate<JsonNode> until, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        for (JsonNode seen : received) {
            if (until.test(seen)) {
                return List.copyOf(received);
            }
        }
        while (Instant.now().isBefore(deadline)) {
            JsonNode next = incoming.poll(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
            if (next == null) {
                break;
            }
            received.add(next);
            if (until.test(next)) {
                return List.copyOf(received);
            }
        }
        throw new AssertionError("no matching event within " + timeout + "; received: " + received);
    }

    /** Whatever arrives within {@code quiet} (nothing is expected: the events received meanwhile are returned). */
    List<JsonNode> drain(Duration quiet) throws InterruptedException {
        Instant deadline = Instant.now().plus(quiet);
        while (Instant.now().isBefore(deadline)) {
            JsonNode next = incoming.poll(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
            if (next != null) {
                received.add(next);
            }
        }
        return List.copyOf(received);
    }

    List<JsonNode> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            socket.abort();
        }
        http.close();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    incoming.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    incoming.add(JSON.getNodeFactory().textNode("unparseable: " + partial));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
