-- Debezium's signalling table: incremental snapshots of the concept tables without stopping writes
-- (cdc-connector/README.md, "Incremental snapshots"; docs/events.md). Debezium requires exactly three
-- columns, in this order: id, type, data.
--   * an operator (or the cdc-connector's POST /admin/snapshots) inserts an 'execute-snapshot' row;
--   * the connector itself inserts the 'snapshot-window-open' / 'snapshot-window-close' watermark rows
--     around every chunk it reads, so its role needs INSERT here.
-- The rows come back through the replication slot (the table is in the publication) and are never
-- published as changes. Deleting old rows is harmless while no snapshot runs.
create table cdc_signal (
    id   varchar(64) primary key,
    type varchar(32) not null,
    data text
);

-- pgoutput only decodes published tables, and the connector runs with publication.autocreate.mode=disabled:
-- without this the connector never sees a signal.
alter publication dialectica_cdc add table cdc_signal;

-- The replication role reads and writes signals (watermarks, and the signals POST /admin/snapshots writes);
-- nothing else. search-service's read-only role (V3) gets nothing here. An operator who creates the role
-- later runs the same grant.
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'dialectica_cdc') then
        grant select, insert on cdc_signal to dialectica_cdc;
    end if;
end
$$;
