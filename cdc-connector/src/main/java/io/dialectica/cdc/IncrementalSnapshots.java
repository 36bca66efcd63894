package io.dialectica.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.pipeline.notification.Notification;
import io.dialectica.contracts.Tables;
import io.dialectica.service.problem.ApiProblem;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Incremental snapshots (README, "Incremental snapshots"): writes Debezium's {@code execute-snapshot} signal into
 * the signalling table and follows the snapshot through Debezium's notifications ({@link SnapshotNotifications}).
 *
 * <p>The signal is a row in {@code cdc_signal}, which is in the publication: it reaches the connector through the
 * replication slot, in commit order, so it is never lost (also when the engine is restarting: it is read when
 * streaming resumes). Debezium then reads each table in chunks of {@code incremental.snapshot.chunk.size} rows
 * between two watermarks it writes into the same table, and drops from a chunk every row that the stream changed
 * between them; the chunk's rows are published as reads ({@code op r}) with the commit LSN of the closing
 * watermark's transaction, interleaved with the live changes.
 */
@ApplicationScoped
public class IncrementalSnapshots {

    private static final Logger LOG = Logger.getLogger(IncrementalSnapshots.class);

    /** The captured tables in snapshot order: categories before the rows that reference them. */
    public static final List<String> TABLES = List.of(Tables.CATEGORIES, Tables.CONCEPTS, Tables.CONCEPT_CATEGORIES,
            Tables.CONCEPT_RELATIONS);

    static final String EXECUTE_SNAPSHOT = "execute-snapshot";
    private static final String AGGREGATE = "Incremental Snapshot";
    private static final int KEPT = 20;

    /** What GET /admin/snapshots shows of one snapshot. */
    public record View(String id, String state, List<String> tables, Instant requestedAt, Instant startedAt,
            Instant finishedAt, String currentTable, Map<String, TableScan> scanned, long rowsPublished,
            String supersededBy, String signal) {
    }

    /** A table whose scan ended: Debezium's status (SUCCEEDED, EMPTY, SQL_EXCEPTION, ...) and the rows it read. */
    public record TableScan(String status, long rows) {
    }

    /** Mutable state of one snapshot; guarded by the enclosing object. */
    private static final class Snapshot {
        final String id;
        String state;
        List<String> tables;
        Instant requestedAt;
        Instant startedAt;
        Instant finishedAt;
        String currentTable;
        final Map<String, TableScan> scanned = new LinkedHashMap<>();
        long readsAtStart;
        Long readsAtEnd;
        String supersededBy;
        String signal;

        Snapshot(String id) {
            this.id = id;
        }

        boolean active() {
            return "RUNNING".equals(state) || "PAUSED".equals(state);
        }
    }

    private final CdcConfig config;
    private final CdcMetrics metrics;
    private final ObjectMapper mapper;
    /** Newest last. */
    private final List<Snapshot> snapshots = new ArrayList<>();

    public IncrementalSnapshots(CdcConfig config, CdcMetrics metrics, ObjectMapper mapper) {
        this.config = config;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    /** Before the engine starts (CdcEngine observes the same event at the default priority). */
    void onStart(@Observes @Priority(1000) StartupEvent event) {
        SnapshotNotifications.listen(this::onNotification);
    }

    /**
     * Writes an {@code execute-snapshot} signal for the given tables (all four when empty), in {@link #TABLES}
     * order. Refused (409) while another incremental snapshot runs or when the signalling table is not there.
     */
    public View request(List<String> requested) {
        List<String> tables = tables(requested);
        String id = UUID.randomUUID().toString();
        String data = signalData(tables);
        synchronized (this) {
            for (Snapshot s : snapshots) {
                if (s.active()) {
                    throw ApiProblem.conflict(null, "incremental snapshot " + s.id + " is " + s.state
                            + "; wait until it has finished (GET /admin/snapshots/" + s.id + ")");
                }
            }
        }
        insertSignal(id, data);
        synchronized (this) {
            Snapshot s = new Snapshot(id);
            s.state = "REQUESTED";
            s.tables = tables;
            s.requestedAt = Instant.now();
            s.readsAtStart = metrics.incrementalReads();
            s.signal = data;
            add(s);
            LOG.infof("incremental snapshot %s requested: %s", id, tables);
            return view(s);
        }
    }

    /** Newest first. */
    public synchronized List<View> all() {
        List<View> views = new ArrayList<>();
        for (int i = snapshots.size() - 1; i >= 0; i--) {
            views.add(view(snapshots.get(i)));
        }
        return views;
    }

    public synchronized Optional<View> get(String id) {
        return find(id).map(this::view);
    }

    /** Debezium's notifications, on its streaming thread. */
    void onNotification(Notification n) {
        if (!AGGREGATE.equals(n.getAggregateType()) || n.getId() == null) {
            return;
        }
        Map<String, String> data = n.getAdditionalData() == null ? Map.of() : n.getAdditionalData();
        Instant at = n.getTimestamp() == null ? Instant.now() : Instant.ofEpochMilli(n.getTimestamp());
        synchronized (this) {
            Snapshot s = find(n.getId()).orElse(null);
            if (s == null) {
                // a snapshot requested by SQL, or one resumed after a restart of this process
                s = new Snapshot(n.getId());
                s.state = "RUNNING";
                s.readsAtStart = metrics.incrementalReads();
                add(s);
            }
            for (Snapshot other : snapshots) {
                if (other != s && other.active()) {
                    // Debezium adds the tables of a signal that arrives during a snapshot to the running one,
                    // which continues under the newer id
                    other.state = "SUPERSEDED";
                    other.supersededBy = s.id;
                    other.finishedAt = at;
                    other.readsAtEnd = metrics.incrementalReads();
                    s.readsAtStart = Math.min(s.readsAtStart, other.readsAtStart);
                }
            }
            String collections = data.get("data_collections");
            if (s.tables == null && collections != null && !collections.isBlank()) {
                // the tables still to scan (Debezium's list shrinks as the snapshot goes on)
                s.tables = tableNames(collections);
            }
            switch (n.getType()) {
                case "STARTED" -> {
                    s.state = "RUNNING";
                    s.startedAt = at;
                    LOG.infof("incremental snapshot %s started: %s", s.id, s.tables);
                }
                case "IN_PROGRESS", "TABLE_CHUNK_IN_PROGRESS", "TABLE_CHUNK_COMPLETED", "RESUMED" -> {
                    s.state = "RUNNING";
                    if (s.startedAt == null) {
                        s.startedAt = at;
                    }
                    String current = data.get("current_collection_in_progress");
                    if (current != null) {
                        s.currentTable = tableName(current);
                    }
                }
                case "PAUSED" -> s.state = "PAUSED";
                case "TABLE_SCAN_COMPLETED" -> {
                    String table = tableName(data.getOrDefault("scanned_collection", "?"));
                    long rows = parseLong(data.get("total_rows_scanned"));
                    String status = data.getOrDefault("status", "UNKNOWN");
                    s.scanned.put(table, new TableScan(status, rows));
                    if (!"SUCCEEDED".equals(status) && !"EMPTY".equals(status)) {
                        LOG.errorf("incremental snapshot %s: the scan of %s ended with %s: its rows were not all read",
                                s.id, table, status);
                    } else {
                        LOG.infof("incremental snapshot %s: %s scanned (%d rows)", s.id, table, rows);
                    }
                }
                case "COMPLETED", "ABORTED" -> {
                    s.state = n.getType();
                    s.finishedAt = at;
                    s.currentTable = null;
                    LOG.infof("incremental snapshot %s %s", s.id, n.getType().toLowerCase());
                }
                default -> LOG.debugf("incremental snapshot %s: notification %s", s.id, n.getType());
            }
        }
    }

    private View view(Snapshot s) {
        long reads = (s.readsAtEnd != null ? s.readsAtEnd : metrics.incrementalReads()) - s.readsAtStart;
        return new View(s.id, s.state, s.tables, s.requestedAt, s.startedAt, s.finishedAt, s.currentTable,
                Map.copyOf(s.scanned), Math.max(0, reads), s.supersededBy, s.signal);
    }

    private Optional<Snapshot> find(String id) {
        return snapshots.stream().filter(s -> s.id.equals(id)).findFirst();
    }

    private void add(Snapshot s) {
        // the previous snapshot's rows stop counting where this one's start
        for (Snapshot other : snapshots) {
            if (other.readsAtEnd == null && !other.active() && !"REQUESTED".equals(other.state)) {
                other.readsAtEnd = metrics.incrementalReads();
            }
        }
        snapshots.add(s);
        while (snapshots.size() > KEPT) {
            snapshots.remove(0);
        }
    }

    private static List<String> tables(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return TABLES;
        }
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            if (!TABLES.contains(requested.get(i))) {
                errors.add(new ApiProblem.FieldError("tables[" + i + "]", "must be one of " + String.join(", ", TABLES)));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        return TABLES.stream().filter(requested::contains).toList();
    }

    /** Debezium's execute-snapshot data: the data collections are schema-qualified names (regular expressions). */
    private String signalData(List<String> tables) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("data-collections", tables.stream().map(t -> config.schema() + "." + t).toList());
        data.put("type", "incremental");
        try {
            return mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insertSignal(String id, String data) {
        CdcConfig.Database db = config.database();
        Properties props = new Properties();
        props.setProperty("user", db.user());
        props.setProperty("password", db.password());
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "15");
        props.setProperty("ApplicationName", "cdc-connector-" + config.slotName());
        String url = "jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.name();
        try (Connection c = DriverManager.getConnection(url, props)) {
            try (PreparedStatement p = c.prepareStatement("select exists (select 1 from pg_publication_tables "
                    + "where pubname = ? and schemaname = ? and tablename = ?)")) {
                p.setString(1, config.publicationName());
                p.setString(2, config.schema());
                p.setString(3, config.signalTable());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new ApiProblem(409, "signal-table-missing", "Signal table missing",
                                "the signalling table " + config.schema() + "." + config.signalTable()
                                        + " is not in the publication " + config.publicationName()
                                        + ": run concept-service's migrations (V5__incremental_snapshot_signals.sql)",
                                List.of());
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("insert into " + quote(config.schema()) + "."
                    + quote(config.signalTable()) + " (id, type, data) values (?, ?, ?)")) {
                p.setString(1, id);
                p.setString(2, EXECUTE_SNAPSHOT);
                p.setString(3, data);
                p.executeUpdate();
            }
        } catch (SQLException e) {
            LOG.errorf(e, "could not write the execute-snapshot signal");
            throw new ApiProblem(503, "database-unavailable", "Database unavailable",
                    "could not write the signal into " + config.schema() + "." + config.signalTable() + ": "
                            + e.getMessage(), List.of(), Map.of("Retry-After", "5"));
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static List<String> tableNames(String collections) {
        List<String> names = new ArrayList<>();
        for (String c : collections.split(",")) {
            if (!c.isBlank()) {
                names.add(tableName(c.trim()));
            }
        }
        return names;
    }

    /** "public.concepts" → "concepts". */
    private static String tableName(String collection) {
        int dot = collection.lastIndexOf('.');
        return dot < 0 ? collection : collection.substring(dot + 1);
    }

    private static long parseLong(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
