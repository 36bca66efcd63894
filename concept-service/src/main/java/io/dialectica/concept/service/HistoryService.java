package io.dialectica.concept.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dialectica.concept.config.ConceptServiceConfig;
import io.dialectica.concept.history.HistoryConfig;
import io.dialectica.concept.history.HistoryJson;
import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.Statement;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.HistoryEntryView;
import io.dialectica.concept.rest.dto.PageView;
import io.dialectica.concept.rest.dto.VersionChanges;
import io.dialectica.contracts.Lsn;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads of a concept's history ({@code concept_versions}, recorded from the change stream by
 * {@link io.dialectica.concept.history.HistoryConsumer}): its versions newest first, paged, and the concept as it was at
 * one version. Visible as the concept is; once deleted, to its owner and admins only ({@link ConceptAccess#canReadHistory}).
 *
 * <p>A read carrying {@code X-Consistency-Token} waits until the history has caught up with it: until a version of
 * this concept committed at or after the token is recorded, or the last recorded version is the concept's current one
 * (or its deletion). Either way every change of the concept committed before the token's write is in the answer.
 * After {@code dialectica.history.consistency-wait} it answers 504 {@code projection-behind}.
 */
@ApplicationScoped
public class HistoryService {

    /** The concept as it is now (if it exists) and the history's last version of it, in one query. */
    static final Statement STATUS = Statement.of("""
            select c.owner, c.visibility, c.version, l.owner, l.version, l.commit_lsn, l.kind,
                   (select count(*) from concept_versions v where v.concept_id = $1)
              from (select 1) one
              left join concepts c on c.id = $1
              left join lateral (select v.owner, v.version, v.commit_lsn, v.kind
                                   from concept_versions v
                                  where v.concept_id = $1
                                  order by v.commit_lsn desc
                                  limit 1) l on true""", UUID.class);

    static final Statement PAGE = Statement.of("""
            select version, kind, commit_time, changed_by, commit_lsn, changes::text
              from concept_versions
             where concept_id = $1
             order by commit_lsn desc
             limit $2 offset $3""", UUID.class, Integer.class, Integer.class);

    /** The last recorded state with this version (a deletion has none). */
    static final Statement VERSION = Statement.of("""
            select state::text
              from concept_versions
             where concept_id = $1 and version = $2 and state is not null
             order by commit_lsn desc
             limit 1""", UUID.class, Long.class);

    @Inject
    ConceptStore store;

    @Inject
    HistoryConfig config;

    @Inject
    ConceptServiceConfig pages;

    /** The concept's versions, newest first; {@code page} from 0. */
    public Uni<PageView<HistoryEntryView>> history(Caller caller, UUID id, String page, String size, String token) {
        int pageNumber = ConceptQuery.parseInt("page", page, 0, 0, 1_000_000);
        int pageSize = ConceptQuery.parseInt("size", size, pages.defaultPageSize(), 1, pages.maxPageSize());
        return readable(caller, id, token).chain(status -> query(PAGE, Tuple.of(id, pageSize, pageNumber * pageSize))
                .map(rows -> {
                    List<HistoryEntryView> items = new ArrayList<>();
                    for (Row row : rows) {
                        items.add(new HistoryEntryView(row.getLong(0), row.getString(1),
                                row.getOffsetDateTime(2).toInstant(), row.getString(3), Lsn.format(row.getLong(4)),
                                read(row.getString(5), VersionChanges.class)));
                    }
                    return new PageView<>(items, pageNumber, pageSize, status.recorded(),
                            (int) ((status.recorded() + pageSize - 1) / pageSize));
                }));
    }

    /** The concept as it was at version {@code n}: 404 when no such version is recorded (or it is the deletion). */
    public Uni<ConceptView> version(Caller caller, UUID id, String n, String token) {
        long version = parseVersion(n);
        return readable(caller, id, token).chain(status -> query(VERSION, Tuple.of(id, version)).map(rows -> {
            if (rows.size() == 0) {
                throw ApiProblem.notFound("version " + version + " of concept " + id);
            }
            return read(rows.iterator().next().getString(0), ConceptView.class);
        }));
    }

    /** The status, once the caller may read the history (else 404) and it covers the token (else, in time, 504). */
    private Uni<Status> readable(Caller caller, UUID id, String token) {
        long wanted = token == null || token.isBlank() ? -1 : parseToken(token);
        long deadline = System.nanoTime() + config.consistencyWait().toNanos();
        return status(id).chain(status -> {
            if (!ConceptAccess.canReadHistory(caller, status.owner(), status.visibility(), status.historyOwner())) {
                throw ApiProblem.notFound("concept " + id);
            }
            return caughtUp(id, status, wanted, deadline, token);
        });
    }

    private Uni<Status> caughtUp(UUID id, Status status, long wanted, long deadline, String token) {
        if (wanted < 0 || status.covers(wanted)) {
            return Uni.createFrom().item(status);
        }
        if (System.nanoTime() - deadline >= 0) {
            return Uni.createFrom().failure(projectionBehind(token));
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(config.consistencyPoll())
                .chain(() -> status(id)).chain(next -> caughtUp(id, next, wanted, deadline, token));
    }

    private Uni<Status> status(UUID id) {
        return query(STATUS, Tuple.of(id)).map(rows -> {
            Row row = rows.iterator().next();
            String visibility = row.getString(1);
            return new Status(row.getString(0), visibility == null ? null : Visibility.valueOf(visibility),
                    row.getLong(2), row.getString(3), row.getLong(4), row.getLong(5), row.getString(6), row.getLong(7));
        });
    }

    private Uni<RowSet<Row>> query(Statement statement, Tuple parameters) {
        return Uni.createFrom().completionStage(() -> {
            Future<RowSet<Row>> rows = store.reads().execute(statement, parameters);
            return rows.toCompletionStage();
        });
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return HistoryJson.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + " in concept_versions", e);
        }
    }

    private static long parseVersion(String n) {
        try {
            long version = Long.parseLong(n.strip());
            if (version < 1) {
                throw ApiProblem.badRequest("n", "must be a version, 1 or more");
            }
            return version;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("n", "must be a version, 1 or more");
        }
    }

    private static long parseToken(String token) {
        try {
            return Lsn.parse(token);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("X-Consistency-Token", "must be a WAL position X/Y as a write answered it");
        }
    }

    static ApiProblem projectionBehind(String token) {
        return new ApiProblem(504, "projection-behind", "Projection behind",
                "the history has not caught up with consistency token " + token + "; retry shortly",
                List.of(), Map.of("Retry-After", "1"));
    }

    /**
     * @param owner        the concept's owner now, null when it does not exist
     * @param historyOwner the owner the last recorded version names, null when nothing is recorded
     */
    record Status(String owner, Visibility visibility, Long currentVersion, String historyOwner, Long lastVersion,
            Long lastCommitLsn, String lastKind, long recorded) {

        /** Every change of the concept committed before the token is recorded. */
        boolean covers(long token) {
            if (lastCommitLsn != null && lastCommitLsn >= token) {
                return true;
            }
            if (owner == null) {
                // gone: its deletion recorded (or it never existed, and there is nothing to wait for)
                return lastKind == null || "DELETED".equals(lastKind);
            }
            return lastVersion != null && !"DELETED".equals(lastKind) && lastVersion >= currentVersion;
        }
    }
}
