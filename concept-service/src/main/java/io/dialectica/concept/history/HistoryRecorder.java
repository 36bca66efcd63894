package io.dialectica.concept.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.contracts.projection.ChangeGroup;
import io.dialectica.contracts.rows.CategoryRow;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns change groups into rows of {@code concept_versions}, all groups of a poll in one PostgreSQL transaction.
 *
 * <p>Idempotent: a group whose commit LSN is at or below the concept's last recorded version is a repeat (a
 * re-delivery) and changes nothing, and the insert itself is {@code ON CONFLICT (concept_id, commit_lsn) DO NOTHING},
 * so even two replicas applying the same group (around a rebalance) record it once. Groups of one concept come in
 * commit order (one partition per concept), so each applies to the state its predecessor recorded.
 *
 * <p>Snapshot reads (op {@code r}: the connector's initial snapshot, incremental snapshots) are not changes: nobody
 * changed anything, the rows are re-published. They are skipped.
 */
@ApplicationScoped
public class HistoryRecorder {

    private static final Logger LOG = Logger.getLogger(HistoryRecorder.class);

    static final String LATEST = """
            select distinct on (concept_id) concept_id, commit_lsn, kind, state::text
              from concept_versions
             where concept_id = any(?)
             order by concept_id, commit_lsn desc""";

    static final String CATEGORIES = """
            select id, name, canonical_name, description from categories where id = any(?)""";

    static final String INSERT = """
            insert into concept_versions (concept_id, commit_lsn, version, tx_id, commit_time, changed_by, owner,
                                          visibility, kind, changes, state)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
            on conflict (concept_id, commit_lsn) do nothing""";

    /** What one call recorded, and what it skipped. */
    public record Result(List<RecordedVersion> recorded, int repeats, int withoutBase, int snapshotGroups, int unreadable) {
    }

    private final DataSource dataSource;
    private final ObjectMapper mapper = HistoryJson.MAPPER;

    public HistoryRecorder(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records the groups (in partition order) in one transaction; throws when PostgreSQL fails (nothing recorded). */
    public Result record(List<ChangeGroup> groups) throws SQLException {
        List<ChangeGroup> changes = new ArrayList<>();
        int snapshots = 0;
        for (ChangeGroup g : groups) {
            if (g.snapshot()) {
                snapshots++;
            } else {
                changes.add(g);
            }
        }
        if (changes.isEmpty()) {
            return new Result(List.of(), 0, 0, snapshots, 0);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Result result = record(c, changes, snapshots);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Result record(Connection c, List<ChangeGroup> groups, int snapshots) throws SQLException {
        Set<UUID> keys = new LinkedHashSet<>();
        Set<UUID> referenced = new HashSet<>();
        for (ChangeGroup g : groups) {
            keys.add(UUID.fromString(g.key()));
            try {
                referenced.addAll(VersionBuilder.referencedCategories(g, mapper));
            } catch (RuntimeException e) {
                // reported when the group itself is applied
            }
        }
        Map<UUID, Latest> latest = latest(c, keys);
        Map<UUID, CategoryRow> categories = categories(c, referenced);

        List<RecordedVersion> recorded = new ArrayList<>();
        int repeats = 0;
        int withoutBase = 0;
        int unreadable = 0;
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (ChangeGroup g : groups) {
                UUID id = UUID.fromString(g.key());
                Latest last = latest.get(id);
                if (last != null && g.commitLsn() <= last.commitLsn()) {
                    repeats++;
                    continue;
                }
                RecordedVersion next;
                try {
                    next = VersionBuilder.next(last == null ? null : last.state(), g, categories::get, mapper);
                } catch (RuntimeException e) {
                    // a row the history cannot read (a producer bug): skipped, never a reason to stop the stream
                    unreadable++;
                    LOG.errorf(e, "concept %s: skipping the change group at commit LSN %d, it cannot be read", id,
                            g.commitLsn());
                    continue;
                }
                if (next == null) {
                    withoutBase++;
                    LOG.debugf("concept %s: change at %d has no earlier version to apply to (its creation is older "
                            + "than the history); not recorded", id, g.commitLsn());
                    continue;
                }
                insert.setObject(1, next.conceptId());
                insert.setLong(2, next.commitLsn());
                insert.setLong(3, next.version());
                insert.setLong(4, next.txId());
                insert.setObject(5, next.commitTime().atOffset(ZoneOffset.UTC));
                insert.setString(6, next.changedBy());
                insert.setString(7, next.owner());
                insert.setString(8, next.visibility());
                insert.setString(9, next.kind().name());
                insert.setString(10, json(next.changes()));
                insert.setString(11, next.state() == null ? null : json(next.state()));
                insert.addBatch();
                latest.put(id, new Latest(next.commitLsn(), next.state()));
                recorded.add(next);
            }
            if (!recorded.isEmpty()) {
                insert.executeBatch();
            }
        }
        return new Result(List.copyOf(recorded), repeats, withoutBase, snapshots, unreadable);
    }

    /** The last recorded version of each concept: its commit LSN and state (null after a deletion). */
    private Map<UUID, Latest> latest(Connection c, Set<UUID> keys) throws SQLException {
        Map<UUID, Latest> latest = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement(LATEST)) {
            Array ids = c.createArrayOf("uuid", keys.toArray());
            select.setArray(1, ids);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String state = rows.getString(4);
                    latest.put(rows.getObject(1, UUID.class), new Latest(rows.getLong(2),
                            state == null ? null : read(state)));
                }
            }
        }
        return latest;
    }

    /** Category rows the groups reference but do not carry (shared categories: names never change). */
    private Map<UUID, CategoryRow> categories(Connection c, Set<UUID> ids) throws SQLException {
        Map<UUID, CategoryRow> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        try (PreparedStatement select = c.prepareStatement(CATEGORIES)) {
            select.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID id = rows.getObject(1, UUID.class);
                    found.put(id, new CategoryRow(id, rows.getString(2), rows.getString(3), rows.getString(4), null));
                }
            }
        }
        return found;
    }

    private ConceptView read(String state) {
        try {
            return mapper.readValue(state, ConceptView.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable state in concept_versions: " + e.getOriginalMessage(), e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private record Latest(long commitLsn, ConceptView state) {
    }
}
