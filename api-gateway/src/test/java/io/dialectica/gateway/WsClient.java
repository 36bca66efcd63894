package io.dialectica.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A test client of {@code /ws/jobs}: every text message it receives, in order, as JSON. */
final class WsClient implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);

    private final WebSocketClient client;
    private final WebSocket socket;
    private final LinkedBlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();

    private WsClient(WebSocketClient client, WebSocket socket) {
        this.client = client;
        this.socket = socket;
        socket.textMessageHandler(text -> received.add(new JsonObject(text)));
        socket.closeHandler(ignored -> closed.complete(socket.closeStatusCode()));
    }

    /** Connects with the token in the Authorization header (null: no token at all). */
    static WsClient withHeader(Vertx vertx, String token) {
        WebSocketConnectOptions options = options("/ws/jobs");
        if (token != null) {
            options.addHeader("Authorization", "Bearer " + token);
        }
        return connect(vertx, options);
    }

    /** Connects the way a browser does: the token as the access_token query parameter. */
    static WsClient withQueryToken(Vertx vertx, String token) {
        return connect(vertx, options("/ws/jobs?access_token=" + token));
    }

    /** The HTTP status an upgrade with these options is refused with (fails when it is accepted). */
    static int refusal(Vertx vertx, WebSocketConnectOptions options) {
        try {
            WsClient accepted = connect(vertx, options);
            accepted.close();
            throw new AssertionError("the upgrade was accepted");
        } catch (UpgradeRefused refused) {
            return refused.status;
        }
    }

    static WebSocketConnectOptions options(String uri) {
        return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(io.restassured.RestAssured.port).setURI(uri);
    }

    private static WsClient connect(Vertx vertx, WebSocketConnectOptions options) {
        WebSocketClient client = vertx.createWebSocketClient();
        try {
            WebSocket socket = client.connect(options).toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return new WsClient(client, socket);
        } catch (ExecutionException e) {
            client.close();
            if (e.getCause() instanceof UpgradeRejectedException rejected) {
                throw new UpgradeRefused(rejected.getStatus());
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException(e);
        }
    }

    void send(String text) {
        socket.writeTextMessage(text);
    }

    void subscribe(Object jobId) {
        send(new JsonObject().put("action", "subscribe").put("jobId", jobId.toString()).encode());
    }

    void unsubscribe(Object jobId) {
        send(new JsonObject().put("action", "unsubscribe").put("jobId", jobId.toString()).encode());
    }

    /** The next message; fails after {@link #WAIT}. */
    JsonObject next() {
        try {
            JsonObject message = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(message, "no message within " + WAIT);
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Messages received so far and not yet taken. */
    List<JsonObject> pending() {
        List<JsonObject> all = new ArrayList<>();
        received.drainTo(all);
        return all;
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        client.close();
    }

    static final class UpgradeRefused extends RuntimeException {
        final int status;

        UpgradeRefused(int status) {
            super("upgrade refused: " + status);
            this.status = status;
        }
    }
}
