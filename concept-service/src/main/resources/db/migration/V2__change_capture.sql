-- Change data capture: what the cdc-connector (Debezium, pgoutput) reads (docs/events.md).
-- Run by the schema owner; nothing here needs a superuser. The replication login itself
-- (dialectica_cdc: LOGIN REPLICATION) is created by the stack script / the operator, not here.

-- Full before-images: updates carry the old row, deletes the whole deleted row. Deletes of memberships
-- and relations (also the cascaded ones when a concept goes) need concept_id to be routed to the
-- concept's stream; the primary key alone would not carry it.
alter table concepts           replica identity full;
alter table categories         replica identity full;
alter table concept_categories replica identity full;
alter table concept_relations  replica identity full;

-- Written by the connector every heartbeat (Debezium heartbeat.action.query), one row per replication
-- slot: keeps the slot's confirmed position moving on a quiet database and gives the consumers a
-- watermark (a committed position) even when no concept changes.
create table cdc_heartbeat (
    slot_name varchar(63) primary key,
    beat_at   timestamptz not null
);

-- The publication is owned by the schema owner; the connector runs with publication.autocreate.mode=disabled.
-- A publication is not a schema object: one left behind (e.g. after flyway clean dropped the tables)
-- is replaced so that it lists exactly these tables.
do $$
begin
    if exists (select 1 from pg_publication where pubname = 'dialectica_cdc') then
        drop publication dialectica_cdc;
    end if;
end
$$;

create publication dialectica_cdc
    for table concepts, categories, concept_categories, concept_relations, cdc_heartbeat;

-- Privileges of the replication role, when it already exists (the stack script creates it before the
-- migrations run; an operator who creates it later runs the same grants).
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'dialectica_cdc') then
        execute format('grant usage on schema %I to dialectica_cdc', current_schema());
        grant select on concepts, categories, concept_categories, concept_relations, cdc_heartbeat to dialectica_cdc;
        grant insert, update on cdc_heartbeat to dialectica_cdc;
    end if;
end
$$;
