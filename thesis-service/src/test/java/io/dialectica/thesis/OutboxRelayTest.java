package io.dialectica.thesis;

import io.dialectica.contracts.generation.JobEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The relay as several replicas see it, with the fallback poll set to an hour so that only
 * PostgreSQL's NOTIFY (rows inserted here over JDBC, not through the service) can wake it:
 * a row another transaction holds (as another replica's relay would) is skipped, and so are the later
 * rows of the same job, until it is released; then the job's rows go out in order.
 */
@QuarkusTest
@QuarkusTestResource(ThesisTestResource.class)
@TestProfile(OutboxRelayTest.NotifyOnly.class)
class OutboxRelayTest {

    public static class NotifyOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("dialectica.thesis.outbox.poll-interval", "1h");
        }
    }

    @Test
    void lockedRowHoldsBackItsJobOnlyAndNotifyWakesTheRelay() throws SQLException {
        UUID x = UUID.randomUUID();
        UUID y = UUID.randomUUID();
        UUID z = UUID.randomUUID();
        String progress = ThesisTestResource.topic("progress");
        try (Connection c = Database.connect(); Connection holder = Database.connect()) {
            // x's three rows, stamped as published at first (the insert's NOTIFY finds nothing to send) ...
            long first = insert(c, x, "1", true);
            insert(c, x, "2", true);
            insert(c, x, "3", true);
            // ... then made pending by an UPDATE, which notifies nobody: the relay stays asleep
            execute(c, "update outbox set published_at = null where job_id = ?", x);
            // another "replica" claims x's first row
            holder.setAutoCommit(false);
            execute(holder, "select id from outbox where id = ? for update", first);

            // y's row: its NOTIFY wakes the relay, which sends y and must hold back all of x
            insert(c, y, "y", false);
            ThesisTestResource.topics.await(progress, y.toString(), JobEvent.class, l -> l.size() == 1);
            assertEquals(List.of(), ThesisTestResource.topics.on(progress, x.toString()),
                    "x's later rows must wait for its first one");
            assertEquals(3, Database.count("select count(*) from outbox where job_id = ? and published_at is null", x));

            // released: the next notification sends x's rows, in order
            holder.commit();
            insert(c, z, "z", false);
            List<JobEvent> sent = ThesisTestResource.topics.await(progress, x.toString(), JobEvent.class,
                    l -> l.size() >= 3);
            assertEquals(List.of("1", "2", "3"), sent.stream().map(JobEvent::message).toList());
            ThesisTestResource.topics.await(progress, z.toString(), JobEvent.class, l -> l.size() == 1);
            assertEquals(0, Database.count("select count(*) from outbox where job_id = any(?) and published_at is null",
                    (Object) new UUID[] {x, y, z}));
        }
    }

    private static long insert(Connection c, UUID job, String message, boolean published) throws SQLException {
        String payload = "{\"v\":1,\"jobId\":\"" + job + "\",\"type\":\"status\",\"status\":\"QUEUED\",\"message\":\""
                + message + "\",\"attempt\":0}";
        try (PreparedStatement s = c.prepareStatement("insert into outbox (job_id, channel, payload, created_at, "
                + "published_at) values (?, 'progress', ?, now(), " + (published ? "now()" : "null") + ") returning id")) {
            s.setObject(1, job);
            s.setString(2, payload);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void execute(Connection c, String sql, Object param) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, param);
            s.execute();
        }
    }
}
