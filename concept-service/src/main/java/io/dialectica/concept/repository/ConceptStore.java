package io.dialectica.concept.repository;

import io.dialectica.concept.model.Visibility;
import io.dialectica.concept.repository.StoredConcept.Category;
import io.dialectica.concept.repository.StoredConcept.Member;
import io.dialectica.concept.repository.StoredConcept.NewCategory;
import io.dialectica.concept.repository.StoredConcept.NewMember;
import io.dialectica.concept.repository.StoredConcept.NewRelation;
import io.dialectica.concept.repository.StoredConcept.Relation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The concept tables in SQL, one statement per step and each step one statement whatever the number of rows
 * (multi-row {@code unnest} inserts and updates). Every write statement finds categories by canonical name in
 * the database, so a transaction never needs the answer of one statement to build the next: they are
 * pipelined ({@link PipelinedTransaction}) and a whole write is one round trip once the concept is locked.
 */
@ApplicationScoped
public class ConceptStore {

    /** The columns of a concept with its graph, as {@link #concept(Row)} reads them. */
    private static final String CONCEPT_WITH_GRAPH = """
            select c.id, c.owner, c.name, c.description, c.tradition, c.visibility, c.quality_score, c.version,
                   c.created_at, c.updated_at,
                   (select json_agg(json_build_array(m.id, k.id, k.name, k.canonical_name, k.description, m.weight, m.x, m.y))
                      from concept_categories m join categories k on k.id = m.category_id
                     where m.concept_id = c.id) as members,
                   (select json_agg(json_build_array(r.id, r.from_category_id, r.to_category_id, r.type, r.weight, r.rationale))
                      from concept_relations r
                     where r.concept_id = c.id) as relations
              from concepts c
            """;

    /** A concept with its memberships (and their categories) and relations, in one query. */
    static final Statement READ = Statement.of(CONCEPT_WITH_GRAPH + " where c.id = $1", UUID.class);

    /**
     * The first page of an owner's concepts, whole, in creation order (ties by id): the export's keyset, on the index
     * {@code concepts_owner_created_idx} (V8).
     */
    static final Statement OWNED_FIRST = Statement.of(CONCEPT_WITH_GRAPH + """
             where c.owner = $1
             order by c.created_at, c.id
             limit $2""", String.class, Long.class);

    /** The page after (created_at, id): a creation time and an id never change, so no concept is read twice. */
    static final Statement OWNED_AFTER = Statement.of(CONCEPT_WITH_GRAPH + """
             where c.owner = $1 and (c.created_at, c.id) > ($2, $3)
             order by c.created_at, c.id
             limit $4""", String.class, OffsetDateTime.class, UUID.class, Long.class);

    /** The row lock every change of a concept takes first: writers of one concept queue up here. */
    static final Statement LOCK = Statement.of("select version from concepts where id = $1 for update", UUID.class);

    /**
     * New categories, in canonical-name order: a concurrent transaction inserting the same new name waits for
     * this one (and the other way round), and two that wait for each other in opposite orders would deadlock.
     * An existing category is left alone: not locked, not rewritten (DO NOTHING), so concurrent writes that share
     * categories do not queue up behind each other's commits; the memberships' foreign keys protect it.
     */
    static final Statement INSERT_CATEGORIES = Statement.of("""
            insert into categories (id, name, canonical_name, description)
            select u.id, u.name, u.canonical, u.description
              from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as u(id, name, canonical, description)
             order by u.canonical
                on conflict (canonical_name) do nothing""", UUID[].class, String[].class, String[].class, String[].class);

    /**
     * A description given for a category that has none fills it; one that has a description keeps it. Only the
     * rows to fill are locked, in canonical-name order; one filled meanwhile by a concurrent write is skipped
     * after the lock wait (the first description wins).
     */
    static final Statement FILL_DESCRIPTIONS = Statement.of("""
            update categories c
               set description = w.description
              from (select k.id, u.description
                      from unnest($1::text[], $2::text[]) as u(canonical, description)
                      join categories k on k.canonical_name = u.canonical
                     where k.description is null
                     order by k.canonical_name
                       for no key update of k) w
             where c.id = w.id""", String[].class, String[].class);

    static final Statement SELECT_CATEGORIES = Statement.of("""
            select id, name, canonical_name, description from categories where canonical_name = any($1::text[])""", String[].class);

    /** The concept row, inserted once, with its quality score and its author ({@code changed_by}: the history's "who"). */
    static final Statement INSERT_CONCEPT = Statement.of("""
            insert into concepts (id, owner, name, description, tradition, visibility, quality_score, version,
                                  created_at, updated_at, changed_by)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""", UUID.class, String.class, String.class, String.class, String.class, String.class, Double.class,
            Long.class, OffsetDateTime.class, OffsetDateTime.class, String.class);

    /** Memberships, their categories found by canonical name; answers with each membership and its category. */
    static final Statement INSERT_MEMBERS = Statement.of("""
            with m as (
              insert into concept_categories (id, concept_id, category_id, weight, x, y)
              select u.id, $1, k.id, u.weight, u.x, u.y
                from unnest($2::uuid[], $3::text[], $4::float8[], $5::float8[], $6::float8[]) as u(id, canonical, weight, x, y)
                join categories k on k.canonical_name = u.canonical
              returning id, category_id, weight, x, y)
            select m.id, k.id, k.name, k.canonical_name, k.description, m.weight, m.x, m.y
              from m join categories k on k.id = m.category_id""", UUID.class, UUID[].class, String[].class, Double[].class, Double[].class, Double[].class);

    /**
     * Relations, their ends found by canonical name. Answers with how many were inserted and the WAL position
     * after them (read once every row is in: the aggregate consumes the whole insert before the projection).
     */
    static final Statement INSERT_RELATIONS = Statement.of("""
            with r as (
              insert into concept_relations (id, concept_id, from_category_id, to_category_id, type, weight, rationale)
              select u.id, $1, f.id, t.id, u.type, u.weight, u.rationale
                from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[])
                     as u(id, from_canonical, to_canonical, type, weight, rationale)
                join categories f on f.canonical_name = u.from_canonical
                join categories t on t.canonical_name = u.to_canonical
              returning 1)
            select count(*), cast(pg_current_wal_insert_lsn() as text) from r""", UUID.class, UUID[].class, String[].class, String[].class, String[].class, Double[].class,
            String[].class);

    static final Statement DELETE_RELATIONS = Statement.of("delete from concept_relations where concept_id = $1 and id = any($2::uuid[])", UUID.class, UUID[].class);

    /** The database cascades to the relations that touch these memberships. */
    static final Statement DELETE_MEMBERS = Statement.of("delete from concept_categories where concept_id = $1 and category_id = any($2::uuid[])", UUID.class, UUID[].class);

    static final Statement UPDATE_MEMBERS = Statement.of("""
            update concept_categories m
               set weight = u.weight, x = u.x, y = u.y
              from unnest($2::uuid[], $3::float8[], $4::float8[], $5::float8[]) as u(id, weight, x, y)
             where m.concept_id = $1 and m.id = u.id""", UUID.class, UUID[].class, Double[].class, Double[].class, Double[].class);

    static final Statement UPDATE_RELATIONS = Statement.of("""
            update concept_relations r
               set weight = u.weight, rationale = u.rationale
              from unnest($2::uuid[], $3::float8[], $4::text[]) as u(id, weight, rationale)
             where r.concept_id = $1 and r.id = u.id""", UUID.class, UUID[].class, Double[].class, String[].class);

    /**
     * The last statement of every change: the concept's fields, quality score and next version, who made the change
     * ({@code changed_by}, so that the change stream carries its author), and the WAL position after it, which lies
     * after every row the transaction changed (the consistency token).
     */
    static final Statement UPDATE_CONCEPT = Statement.of("""
            update concepts
               set name = $2, description = $3, tradition = $4, visibility = $5, quality_score = $6, version = $7,
                   updated_at = $8, changed_by = $9
             where id = $1
            returning cast(pg_current_wal_insert_lsn() as text)""", UUID.class, String.class, String.class, String.class, String.class, Double.class, Long.class,
            OffsetDateTime.class, String.class);

    /**
     * Just before a delete, in the same transaction: the next version and who deletes, so that the deleted row (the
     * delete's before-image in the change stream) names its deleter. Pipelined with the delete: no round trip.
     */
    static final Statement MARK_DELETED = Statement.of("""
            update concepts set version = version + 1, updated_at = $2, changed_by = $3 where id = $1""",
            UUID.class, OffsetDateTime.class, String.class);

    static final Statement DELETE_CONCEPT = Statement.of("delete from concepts where id = $1", UUID.class);

    static final Statement WAL_POSITION = Statement.of("select cast(pg_current_wal_insert_lsn() as text)");

    @Inject
    Pool pool;

    /** Reads outside any transaction (one statement, one pooled connection). */
    public SqlRunner reads() {
        return (statement, parameters) -> pool.preparedQuery(statement.sql()).execute(statement.check(parameters));
    }

    /** Runs {@code work} in a {@link PipelinedTransaction} on a pooled connection. */
    public <T> Future<T> inTransaction(Function<PipelinedTransaction, Future<T>> work) {
        return pool.getConnection().compose(connection -> PipelinedTransaction.run(connection, work));
    }

    /** The concept with its graph, or null if there is none with this id. */
    public Future<StoredConcept> read(SqlRunner sql, UUID id) {
        return sql.execute(READ, Tuple.of(id)).map(rows -> rows.size() == 0 ? null : concept(rows.iterator().next()));
    }

    /**
     * Up to {@code limit} concepts of {@code owner}, whole, in creation order (ties by id), after the one created at
     * {@code afterCreated} with id {@code afterId} (both null: from the first).
     */
    public Future<List<StoredConcept>> owned(SqlRunner sql, String owner, Instant afterCreated, UUID afterId, int limit) {
        Future<RowSet<Row>> rows = afterCreated == null
                ? sql.execute(OWNED_FIRST, tuple(owner, (long) limit))
                : sql.execute(OWNED_AFTER, tuple(owner, timestamp(afterCreated), afterId, (long) limit));
        return rows.map(found -> {
            List<StoredConcept> page = new ArrayList<>(found.size());
            for (Row row : found) {
                page.add(concept(row));
            }
            return page;
        });
    }

    /** Row-locks the concept until the transaction ends; false if there is none with this id. */
    public Future<Boolean> lock(PipelinedTransaction tx, UUID id) {
        return tx.execute(LOCK, Tuple.of(id)).map(rows -> rows.size() > 0);
    }

    /** Inserts the categories whose canonical names are new; existing ones stay as they are. */
    public Future<Void> insertCategories(PipelinedTransaction tx, List<NewCategory> categories) {
        int n = categories.size();
        UUID[] ids = new UUID[n];
        String[] names = new String[n];
        String[] canonical = new String[n];
        String[] descriptions = new String[n];
        for (int i = 0; i < n; i++) {
            NewCategory c = categories.get(i);
            ids[i] = UUID.randomUUID();
            names[i] = c.name();
            canonical[i] = c.canonicalName();
            descriptions[i] = c.description();
        }
        return tx.execute(INSERT_CATEGORIES, tuple(ids, names, canonical, descriptions)).mapEmpty();
    }

    /** Gives the categories that have no description the one given here (categories without one are ignored). */
    public Future<Void> fillDescriptions(PipelinedTransaction tx, List<NewCategory> categories) {
        List<NewCategory> described = categories.stream().filter(c -> c.description() != null).toList();
        String[] canonical = described.stream().map(NewCategory::canonicalName).toArray(String[]::new);
        String[] descriptions = described.stream().map(NewCategory::description).toArray(String[]::new);
        return tx.execute(FILL_DESCRIPTIONS, tuple(canonical, descriptions)).mapEmpty();
    }

    /** The categories with these canonical names, as stored now, by canonical name. */
    public Future<Map<String, Category>> categories(PipelinedTransaction tx, List<String> canonicalNames) {
        return tx.execute(SELECT_CATEGORIES, tuple((Object) canonicalNames.toArray(String[]::new))).map(rows -> {
            Map<String, Category> found = new HashMap<>();
            for (Row row : rows) {
                found.put(row.getString(2), new Category(row.getUUID(0), row.getString(1), row.getString(2), row.getString(3)));
            }
            return found;
        });
    }

    /** Inserts the concept row; {@code changedBy} is the JWT subject of the request (the history's author). */
    public Future<Void> insertConcept(PipelinedTransaction tx, StoredConcept.Row concept, String changedBy) {
        return tx.execute(INSERT_CONCEPT, tuple(concept.id(), concept.owner(), concept.name(),
                concept.description(), concept.tradition(), concept.visibility().name(), concept.qualityScore(),
                concept.version(), timestamp(concept.createdAt()), timestamp(concept.updatedAt()), changedBy)).mapEmpty();
    }

    /** Inserts the memberships; answers with each as stored, with its category. */
    public Future<List<Member>> insertMembers(PipelinedTransaction tx, UUID conceptId, List<NewMember> members) {
        int n = members.size();
        UUID[] ids = new UUID[n];
        String[] canonical = new String[n];
        Double[] weights = new Double[n];
        Double[] xs = new Double[n];
        Double[] ys = new Double[n];
        for (int i = 0; i < n; i++) {
            NewMember m = members.get(i);
            ids[i] = m.membershipId();
            canonical[i] = m.canonicalName();
            weights[i] = m.weight();
            xs[i] = m.x();
            ys[i] = m.y();
        }
        return tx.execute(INSERT_MEMBERS, tuple(conceptId, ids, canonical, weights, xs, ys)).map(rows -> {
            List<Member> inserted = new ArrayList<>(rows.size());
            for (Row row : rows) {
                inserted.add(new Member(row.getUUID(0), row.getUUID(1), row.getString(2), row.getString(3),
                        row.getString(4), row.getDouble(5), row.getDouble(6), row.getDouble(7)));
            }
            if (inserted.size() != n) {
                throw new IllegalStateException("inserted " + inserted.size() + " of " + n + " memberships");
            }
            return inserted;
        });
    }

    /** Inserts the relations; answers with the WAL position after them. */
    public Future<String> insertRelations(PipelinedTransaction tx, UUID conceptId, List<NewRelation> relations) {
        int n = relations.size();
        UUID[] ids = new UUID[n];
        String[] from = new String[n];
        String[] to = new String[n];
        String[] types = new String[n];
        Double[] weights = new Double[n];
        String[] rationales = new String[n];
        for (int i = 0; i < n; i++) {
            NewRelation r = relations.get(i);
            ids[i] = r.id();
            from[i] = r.fromCanonicalName();
            to[i] = r.toCanonicalName();
            types[i] = r.type();
            weights[i] = r.weight();
            rationales[i] = r.rationale();
        }
        return tx.execute(INSERT_RELATIONS, tuple(conceptId, ids, from, to, types, weights, rationales)).map(rows -> {
            Row row = rows.iterator().next();
            if (row.getLong(0) != n) {
                throw new IllegalStateException("inserted " + row.getLong(0) + " of " + n + " relations");
            }
            return row.getString(1);
        });
    }

    public Future<Void> deleteRelations(PipelinedTransaction tx, UUID conceptId, List<UUID> ids) {
        return tx.execute(DELETE_RELATIONS, tuple(conceptId, ids.toArray(UUID[]::new))).mapEmpty();
    }

    public Future<Void> deleteMembers(PipelinedTransaction tx, UUID conceptId, List<UUID> categoryIds) {
        return tx.execute(DELETE_MEMBERS, tuple(conceptId, categoryIds.toArray(UUID[]::new))).mapEmpty();
    }

    /** Sets weight, x and y of these memberships (by membership id). */
    public Future<Void> updateMembers(PipelinedTransaction tx, UUID conceptId, List<Member> members) {
        return tx.execute(UPDATE_MEMBERS, tuple(conceptId,
                members.stream().map(Member::membershipId).toArray(UUID[]::new),
                members.stream().map(Member::weight).toArray(Double[]::new),
                members.stream().map(Member::x).toArray(Double[]::new),
                members.stream().map(Member::y).toArray(Double[]::new))).mapEmpty();
    }

    /** Sets weight and rationale of these relations (by id). */
    public Future<Void> updateRelations(PipelinedTransaction tx, UUID conceptId, List<Relation> relations) {
        return tx.execute(UPDATE_RELATIONS, tuple(conceptId,
                relations.stream().map(Relation::id).toArray(UUID[]::new),
                relations.stream().map(Relation::weight).toArray(Double[]::new),
                relations.stream().map(Relation::rationale).toArray(String[]::new))).mapEmpty();
    }

    /**
     * Writes the concept's fields, quality score, version, modification time and author ({@code changedBy}, the JWT
     * subject of the request); answers with the WAL position after it.
     */
    public Future<String> updateConcept(PipelinedTransaction tx, StoredConcept.Row concept, String changedBy) {
        return tx.execute(UPDATE_CONCEPT, tuple(concept.id(), concept.name(), concept.description(),
                        concept.tradition(), concept.visibility().name(), concept.qualityScore(), concept.version(),
                        timestamp(concept.updatedAt()), changedBy))
                .map(rows -> rows.iterator().next().getString(0));
    }

    /**
     * Deletes the concept (its memberships and relations go with it) and answers with the WAL position after it. The
     * row first gets its next version and {@code changedBy} (who deletes), so that the deletion in the change stream
     * names its author.
     */
    public Future<String> deleteConcept(PipelinedTransaction tx, UUID id, Instant at, String changedBy) {
        tx.execute(MARK_DELETED, tuple(id, timestamp(at), changedBy));
        tx.execute(DELETE_CONCEPT, Tuple.of(id));
        // a statement of its own: the cascaded deletes run at the end of the DELETE, after its RETURNING
        return tx.execute(WAL_POSITION, Tuple.tuple()).map(rows -> rows.iterator().next().getString(0));
    }

    private static StoredConcept concept(Row row) {
        StoredConcept.Row concept = new StoredConcept.Row(row.getUUID(0), row.getString(1), row.getString(2),
                row.getString(3), row.getString(4), Visibility.valueOf(row.getString(5)), row.getDouble(6),
                row.getLong(7), row.getOffsetDateTime(8).toInstant(), row.getOffsetDateTime(9).toInstant());
        List<Member> members = new ArrayList<>();
        for (Object item : jsonArray(row.getValue(10))) {
            JsonArray m = (JsonArray) item;
            members.add(new Member(UUID.fromString(m.getString(0)), UUID.fromString(m.getString(1)), m.getString(2),
                    m.getString(3), m.getString(4), m.getDouble(5), m.getDouble(6), m.getDouble(7)));
        }
        List<Relation> relations = new ArrayList<>();
        for (Object item : jsonArray(row.getValue(11))) {
            JsonArray r = (JsonArray) item;
            relations.add(new Relation(UUID.fromString(r.getString(0)), UUID.fromString(r.getString(1)),
                    UUID.fromString(r.getString(2)), r.getString(3), r.getDouble(4), r.getString(5)));
        }
        return new StoredConcept(concept, List.copyOf(members), List.copyOf(relations));
    }

    private static JsonArray jsonArray(Object value) {
        return value instanceof JsonArray array ? array : new JsonArray();
    }

    /** Exactly these parameters, in order: never {@code Tuple.of}, whose varargs overload spreads an array argument. */
    private static Tuple tuple(Object... parameters) {
        return Tuple.from(parameters);
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
