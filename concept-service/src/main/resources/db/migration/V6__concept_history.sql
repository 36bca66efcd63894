-- The history of a concept: who changed what, version by version (concept-service/README.md, "History").
--
-- 1. concepts.changed_by: the JWT subject of the request that wrote the row's current version. concept-service
--    writes it in the same statement as the version (insert, every update, and the update a delete makes just
--    before it deletes), so every change of the row in the change stream carries its author. A write that
--    bypasses concept-service must set it too; null = unknown (rows written before this migration).
-- 2. concept_versions: one row per change group of a concept on the change topic (one committed transaction),
--    written by concept-service's own consumer of dialectica.concept-changes (ConceptHistoryConsumer). Not in the
--    publication: the history is not itself captured. Never deleted with the concept: the history of a deleted
--    concept stays readable by its owner and admins.
-- 3. A baseline for every concept that exists now: its current state as version 'BASELINE' (author unknown), at
--    a position no earlier change can be above and no later one below (below), so the consumer applies exactly
--    the changes after it.

-- ACCESS EXCLUSIVE on concepts until this migration commits: every transaction that wrote a concept has committed
-- (the ALTER waits for it), and none can write one until the baseline is in. The LSN read below therefore lies
-- after the commit of every change the baseline includes and before the commit of every change it does not.
alter table concepts add column changed_by varchar(255);

create table concept_versions (
    concept_id  uuid         not null,
    -- commit LSN of the source transaction (the group's commitLsn; for a baseline, the position of this migration)
    commit_lsn  bigint       not null,
    -- the concept's version after the change (its ETag); a deletion has the version its last update gave it
    version     bigint       not null,
    tx_id       bigint       not null,
    commit_time timestamptz  not null,
    -- the JWT subject that made the change (concepts.changed_by in the change itself); null = unknown
    changed_by  varchar(255),
    -- owner and visibility after the change (for a deletion: of the deleted row), so that the history of a
    -- deleted concept can still be shown to its owner (and admins) only
    owner       varchar(255) not null,
    visibility  varchar(10)  not null,
    kind        varchar(10)  not null check (kind in ('BASELINE', 'CREATED', 'CHANGED', 'DELETED')),
    -- what changed (fields, categories, relations), as GET /api/concepts/{id}/history shows it
    changes     jsonb        not null,
    -- the whole concept after the change, as GET /api/concepts/{id} would have answered; null for a deletion
    state       jsonb,
    recorded_at timestamptz  not null default now(),
    -- a change group is recorded once: a re-delivered one conflicts here (ON CONFLICT DO NOTHING)
    primary key (concept_id, commit_lsn),
    check ((kind = 'DELETED') = (state is null))
);

create index concept_versions_version_idx on concept_versions (concept_id, version);

-- A concept as GET /api/concepts/{id} shows it (ConceptView: categories by name in code point order, relations by type
-- then id), as jsonb: the state of a baseline version. HistoryTest checks it against the service's own answer.
create function concept_history_state(concept uuid) returns jsonb
    language sql stable as $$
select jsonb_build_object(
           'id', c.id, 'owner', c.owner, 'name', c.name, 'description', c.description, 'tradition', c.tradition,
           'visibility', c.visibility, 'qualityScore', c.quality_score, 'version', c.version,
           'createdAt', to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'updatedAt', to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'categories', coalesce((
               select jsonb_agg(jsonb_build_object('id', k.id, 'name', k.name, 'canonicalName', k.canonical_name,
                                                   'description', k.description, 'weight', m.weight, 'x', m.x, 'y', m.y)
                                order by k.name collate "C", k.id)
                 from concept_categories m join categories k on k.id = m.category_id
                where m.concept_id = c.id), '[]'::jsonb),
           'relations', coalesce((
               select jsonb_agg(jsonb_build_object('id', r.id, 'from', f.name, 'to', t.name,
                                                   'fromCategoryId', r.from_category_id, 'toCategoryId', r.to_category_id,
                                                   'type', r.type, 'weight', r.weight, 'rationale', r.rationale)
                                order by r.type collate "C", r.id)
                 from concept_relations r
                 join categories f on f.id = r.from_category_id
                 join categories t on t.id = r.to_category_id
                where r.concept_id = c.id), '[]'::jsonb))
  from concepts c
 where c.id = $1
$$;

-- The baseline: every concept as it is, at this transaction's WAL position.
insert into concept_versions (concept_id, commit_lsn, version, tx_id, commit_time, changed_by, owner, visibility,
                              kind, changes, state)
select c.id,
       (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint,
       c.version,
       txid_current() % 4294967296,
       now(),
       null,
       c.owner,
       c.visibility,
       'BASELINE',
       '{"fields": [], "categories": {"added": [], "removed": [], "reweighted": [], "moved": []},
         "relations": {"added": [], "removed": [], "changed": []}}'::jsonb,
       concept_history_state(c.id)
  from concepts c;
