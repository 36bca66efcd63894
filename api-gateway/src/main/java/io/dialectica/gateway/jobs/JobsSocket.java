package io.dialectica.gateway.jobs;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code /ws/jobs}: live progress of generation jobs. The upgrade needs a valid JWT (the
 * {@code Authorization: Bearer} header, or the {@code access_token} query parameter for browsers, see
 * {@link io.dialectica.gateway.security.QueryTokenAuthMechanism}); without one it is refused with 401.
 * The protocol is in the README; {@link JobSubscriptions} does the work. Every method stays on the event
 * loop and returns at once: a subscribe's lookup runs in the background, so the next message of the
 * client is read meanwhile.
 */
@WebSocket(path = "/ws/jobs")
@Authenticated
public class JobsSocket {

    @Inject
    SecurityIdentity identity;

    @Inject
    JobSubscriptions subscriptions;

    @OnOpen
    Uni<Void> open(WebSocketConnection connection) {
        JsonWebToken jwt = (JsonWebToken) identity.getPrincipal();
        String subject = jwt.getSubject() != null ? jwt.getSubject() : jwt.getName();
        subscriptions.open(connection, subject, jwt.getRawToken(), jwt.getExpirationTime());
        return Uni.createFrom().voidItem();
    }

    @OnTextMessage
    Uni<Void> message(String text, WebSocketConnection connection) {
        subscriptions.onMessage(connection, text);
        return Uni.createFrom().voidItem();
    }

    @OnClose
    Uni<Void> close(WebSocketConnection connection) {
        subscriptions.close(connection);
        return Uni.createFrom().voidItem();
    }
}
