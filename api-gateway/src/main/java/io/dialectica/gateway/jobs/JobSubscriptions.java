package io.dialectica.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.gateway.config.GatewayConfig;
import io.dialectica.gateway.ratelimit.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who follows which job, and the delivery of job events to them.
 *
 * <p>A subscribe is checked with thesis-service ({@link JobLookup}, the subscriber's own token); only then
 * does the connection receive the job's events, first of all the job's current state as a {@code status}
 * event, so a client that reconnects (after a network break, a gateway restart, or the expiry of its
 * token) misses nothing. Events that arrive from Kafka while the current state is being fetched are held
 * and sent right after it, in order. A subscription ends with the first event of a terminal status
 * (SUCCEEDED, FAILED, CANCELLED), with an unsubscribe, or with the connection.
 *
 * <p>Thread safety: events come from the Kafka consumer thread, messages and lookups on the event loop;
 * each subscription serialises its own sends.
 */
@ApplicationScoped
public class JobSubscriptions {

    private static final Logger LOG = Logger.getLogger(JobSubscriptions.class);
    /** WebSocket close code 1008 (policy violation): the token the connection was opened with expired. */
    static final int TOKEN_EXPIRED = 1008;

    private final JobLookup lookup;
    private final RateLimiter rateLimiter;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final int maxSubscriptions;
    private final int maxBuffered;

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Subscription>> byJob = new ConcurrentHashMap<>();
    private final Counter delivered;
    private final Counter dropped;

    public JobSubscriptions(JobLookup lookup, RateLimiter rateLimiter, ObjectMapper mapper, Vertx vertx,
            GatewayConfig config, MeterRegistry registry) {
        this.lookup = lookup;
        this.rateLimiter = rateLimiter;
        this.mapper = mapper;
        this.vertx = vertx;
        this.maxSubscriptions = config.jobs().maxSubscriptions();
        this.maxBuffered = config.jobs().maxBufferedEvents();
        Gauge.builder("gateway.ws.connections", sessions, Map::size)
                .description("Open /ws/jobs connections on this replica").register(registry);
        Gauge.builder("gateway.ws.subscriptions", byJob, jobs -> jobs.values().stream().mapToInt(Set::size).sum())
                .description("Job subscriptions on this replica").register(registry);
        this.delivered = Counter.builder("gateway.ws.events.delivered")
                .description("Job events sent to subscribed connections").register(registry);
        this.dropped = Counter.builder("gateway.ws.events.dropped")
                .description("Job events not sent: the subscription's buffer was full while its current state was fetched")
                .register(registry);
    }

    /** One open connection: its subject and token (for the lookups), and the jobs it follows. */
    static final class Session {
        final WebSocketConnection connection;
        final String subject;
        final String rawToken;
        final Map<UUID, Subscription> subscriptions = new ConcurrentHashMap<>();
        volatile long expiryTimer = -1;
        volatile boolean closed;

        Session(WebSocketConnection connection, String subject, String rawToken) {
            this.connection = connection;
            this.subject = subject;
            this.rawToken = rawToken;
        }
    }

    /** One job followed by one connection. Guarded by itself. */
    static final class Subscription {
        final Session session;
        final UUID jobId;
        /** False while the current state is fetched: events are held meanwhile. */
        boolean live;
        boolean ended;
        final ArrayDeque<Held> held = new ArrayDeque<>();

        Subscription(Session session, UUID jobId) {
            this.session = session;
            this.jobId = jobId;
        }
    }

    /** An event held while the current state is fetched. */
    record Held(String json, JobStatus status) {
    }

    // ---- connections --------------------------------------------------------------------------------

    /**
     * A connection opened with a verified token. {@code expiresAt} is the token's {@code exp} (epoch
     * seconds, 0 when it has none): the connection is closed then, the client reconnects with a fresh token.
     */
    public void open(WebSocketConnection connection, String subject, String rawToken, long expiresAt) {
        Session session = new Session(connection, subject, rawToken);
        sessions.put(connection.id(), session);
        if (expiresAt > 0) {
            long delay = Math.max(1, expiresAt * 1000 - System.currentTimeMillis());
            session.expiryTimer = vertx.setTimer(delay, id -> {
                session.expiryTimer = -1;
                connection.close(new CloseReason(TOKEN_EXPIRED, "token expired")).subscribe().with(ok -> {
                }, failure -> {
                });
            });
        }
    }

    public void close(WebSocketConnection connection) {
        Session session = sessions.remove(connection.id());
        if (session == null) {
            return;
        }
        session.closed = true;
        if (session.expiryTimer >= 0) {
            vertx.cancelTimer(session.expiryTimer);
        }
        for (Subscription subscription : session.subscriptions.values()) {
            end(subscription);
        }
    }

    public int connections() {
        return sessions.size();
    }

    // ---- client messages ----------------------------------------------------------------------------

    /** One text message of the client: never throws, never closes the connection; problems are error events. */
    public void onMessage(WebSocketConnection connection, String text) {
        Session session = sessions.get(connection.id());
        if (session == null) {
            return;
        }
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            send(session, error(null, "bad-request", "the message is not JSON"));
            return;
        }
        if (message == null || !message.isObject()) {
            send(session, error(null, "bad-request", "the message must be a JSON object"));
            return;
        }
        String action = message.path("action").asText(null);
        JsonNode id = message.get("jobId");
        UUID jobId = null;
        if (id != null && id.isTextual()) {
            try {
                jobId = UUID.fromString(id.asText());
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        if (!"subscribe".equals(action) && !"unsubscribe".equals(action)) {
            send(session, error(jobId, "bad-request", "action must be \"subscribe\" or \"unsubscribe\""));
            return;
        }
        if (jobId == null) {
            send(session, error(null, "bad-request", "jobId must be a job id (UUID)"));
            return;
        }
        if ("subscribe".equals(action)) {
            subscribe(session, jobId);
        } else {
            Subscription subscription = session.subscriptions.get(jobId);
            if (subscription != null) {
                end(subscription);
            }
        }
    }

    private void subscribe(Session session, UUID jobId) {
        if (session.subscriptions.containsKey(jobId)) {
            send(session, error(jobId, "already-subscribed", "this connection already follows job " + jobId));
            return;
        }
        if (session.subscriptions.size() >= maxSubscriptions) {
            send(session, error(jobId, "too-many-subscriptions",
                    "at most " + maxSubscriptions + " jobs per connection; unsubscribe from one first"));
            return;
        }
        Subscription subscription = new Subscription(session, jobId);
        session.subscriptions.put(jobId, subscription);
        // events of the job from now on are held until its current state is sent
        byJob.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(subscription);

        // a subscribe costs a request to thesis-service: it counts against the caller's rate limit
        Uni<Boolean> allowed = rateLimiter.enabled()
                ? rateLimiter.check(session.subject).map(decision -> {
                    if (!decision.allowed()) {
                        refuse(subscription, error(jobId, "rate-limited",
                                "too many requests; retry in " + decision.retryAfterSeconds() + " s"));
                    }
                    return decision.allowed();
                })
                : Uni.createFrom().item(true);
        allowed.chain(ok -> ok
                        ? lookup.lookup(jobId, session.rawToken, UUID.randomUUID().toString()).map(outcome -> {
                            settle(subscription, outcome);
                            return true;
                        })
                        : Uni.createFrom().item(false))
                .subscribe().with(done -> {
                }, failure -> {
                    LOG.errorf(failure, "subscribe to job %s failed inside the gateway", jobId);
                    refuse(subscription, error(jobId, "unavailable", "the job's state could not be read; try again"));
                });
    }

    private void settle(Subscription subscription, JobLookup.Outcome outcome) {
        UUID jobId = subscription.jobId;
        switch (outcome) {
            case JobLookup.Found found -> {
                synchronized (subscription) {
                    if (subscription.ended) {
                        return; // unsubscribed or closed meanwhile
                    }
                    subscription.live = true;
                    deliver(subscription, currentState(jobId, found), found.status());
                    while (!subscription.ended && !subscription.held.isEmpty()) {
                        Held held = subscription.held.poll();
                        deliver(subscription, held.json(), held.status());
                    }
                    subscription.held.clear();
                }
            }
            case JobLookup.NotFound notFound -> refuse(subscription, error(jobId, "job-not-found", "job not found"));
            case JobLookup.Unauthorized unauthorized ->
                    refuse(subscription, error(jobId, "unauthorized", "the token was refused; reconnect with a fresh token"));
            case JobLookup.Unavailable unavailable ->
                    refuse(subscription, error(jobId, "unavailable", "the job's state could not be read ("
                            + unavailable.reason() + "); try again"));
        }
    }

    private void refuse(Subscription subscription, String errorEvent) {
        synchronized (subscription) {
            if (subscription.ended) {
                return;
            }
            end(subscription);
        }
        send(subscription.session, errorEvent);
    }

    // ---- job events -----------------------------------------------------------------------------------

    /** One event from the progress topic, {@code json} being the record's value as it came. */
    public void dispatch(JobEvent event, String json) {
        Set<Subscription> subscribers = byJob.get(event.jobId());
        if (subscribers == null) {
            return;
        }
        for (Subscription subscription : subscribers) {
            synchronized (subscription) {
                if (subscription.ended) {
                    continue;
                }
                if (subscription.live) {
                    deliver(subscription, json, event.status());
                } else if (subscription.held.size() < maxBuffered) {
                    subscription.held.add(new Held(json, event.status()));
                } else {
                    dropped.increment();
                }
            }
        }
    }

    /** Sends one event to a live subscription (holding its lock); a terminal status ends it. */
    private void deliver(Subscription subscription, String json, JobStatus status) {
        send(subscription.session, json);
        delivered.increment();
        if (status != null && status.terminal()) {
            end(subscription);
        }
    }

    private void end(Subscription subscription) {
        synchronized (subscription) {
            subscription.ended = true;
            subscription.held.clear();
        }
        subscription.session.subscriptions.remove(subscription.jobId, subscription);
        byJob.computeIfPresent(subscription.jobId, (id, subscribers) -> {
            subscribers.remove(subscription);
            return subscribers.isEmpty() ? null : subscribers;
        });
    }

    private static void send(Session session, String json) {
        if (session.closed || !session.connection.isOpen()) {
            return;
        }
        session.connection.sendText(json).subscribe().with(ok -> {
        }, failure -> LOG.debugf("event not sent to connection %s: %s", session.connection.id(), failure.toString()));
    }

    // ---- event documents ------------------------------------------------------------------------------

    /** The job's current state as a {@code status} event; the job document itself rides along as {@code job}. */
    private String currentState(UUID jobId, JobLookup.Found found) {
        ObjectNode event = mapper.createObjectNode();
        event.put("v", JobEvent.SCHEMA_VERSION);
        event.put("jobId", jobId.toString());
        event.put("type", JobEvent.STATUS);
        event.put("status", found.status().name());
        JsonNode job = found.job();
        copyText(job, "phase", event, "phase");
        if (job.path("outputTokens").isInt()) {
            event.put("outputTokens", job.get("outputTokens").asInt());
        }
        copyText(job, "resultUrl", event, "resultUrl");
        copyText(job, job.path("error").isTextual() ? "error" : "message", event, "message");
        event.put("attempt", job.path("attempts").asInt(0));
        event.put("at", Instant.now().toString());
        event.set("job", job);
        return event.toString();
    }

    private String error(UUID jobId, String code, String message) {
        ObjectNode event = mapper.createObjectNode();
        event.put("v", JobEvent.SCHEMA_VERSION);
        event.put("jobId", jobId == null ? null : jobId.toString());
        event.put("type", JobEvent.ERROR);
        event.putNull("status");
        event.put("code", code);
        event.put("message", message);
        event.put("at", Instant.now().toString());
        return event.toString();
    }

    private static void copyText(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null && value.isTextual()) {
            to.put(as, value.asText());
        }
    }
}
